import SpoolCore

/// Picks the hardware route for a job on this host from what discovery found. Never assumes a capability.
public enum EncodePathChooser {
    /// cpu → `.cpu`; opencl → the first OpenCL device; cuda → the least-loaded GPU, with NVENC when that GPU has it;
    /// hybrid → CUDA with NVENC on the least-loaded GPU that can encode, else `.cpu`. A pool kind the inventory cannot
    /// serve is `unsupported`, naming what is missing.
    /// The route the scheduler chose: its GPU, encoding there only if it reserved encoder sessions; a placement on
    /// the host (no GPU) of a GPU-capable worker encodes on the CPU. Without a placement (pull dispatch, `plan`),
    /// the worker chooses as `choose(pool:inventory:)` does.
    public static func choose(
        pool: PoolKind, inventory: DeviceInventory, placement: JobPlacement?, acceleration: Acceleration = .auto
    ) -> Result<EncodePath, JobError> {
        guard let placement else { return choose(pool: pool, inventory: inventory) }
        let ff = inventory.ffmpeg
        guard let index = placement.gpu else {
            guard ff.encoders.contains("libx264") || ff.encoders.contains("libx265") else {
                return .failure(missing("this host's ffmpeg has neither libx264 nor libx265", fix: fullBuild))
            }
            if pool == .opencl, let device = inventory.opencl.first {
                return .success(.opencl(deviceSelector: device.selector))
            }
            return .success(.cpu)
        }
        if let problem = cudaProblem(inventory) { return .failure(problem) }
        guard let gpu = inventory.gpus.first(where: { $0.index == index }) else {
            return .failure(
                JobError(
                    code: .internalError,
                    message:
                        "the job was placed on GPU \(index), which this worker does not have; it will be placed again"))
        }
        let nvenc = placement.demand.encoderSessions > 0 && gpu.engines.canEncode && ff.encoders.contains("h264_nvenc")
        if acceleration == .nvenc && !nvenc {
            return .failure(
                missing(
                    "the job asks for NVENC, and GPU \(index) (\(gpu.name)) cannot encode",
                    fix: "send it to a pool with NVENC"))
        }
        guard nvenc || ff.encoders.contains("libx264") else {
            return .failure(
                missing(
                    "GPU \(index) (\(gpu.name)) has no NVENC encoder and this host's ffmpeg lacks libx264",
                    fix: fullBuild))
        }
        return .success(.cuda(gpuIndex: index, nvenc: nvenc))
    }

    public static func choose(pool: PoolKind, inventory: DeviceInventory) -> Result<EncodePath, JobError> {
        let ff = inventory.ffmpeg
        let cpuEncoders = ff.encoders.contains("libx264") || ff.encoders.contains("libx265")
        switch pool {
        case .cpu:
            guard cpuEncoders else {
                return .failure(missing("this host's ffmpeg has neither libx264 nor libx265", fix: fullBuild))
            }
            return .success(.cpu)

        case .opencl:
            guard let device = inventory.opencl.first else {
                return .failure(
                    missing(
                        "no OpenCL device was found", fix: "install an OpenCL driver (apt-get install pocl-opencl-icd)")
                )
            }
            var lacking: [String] = []
            if !ff.hwaccels.contains("opencl") { lacking.append("the opencl hwaccel") }
            if !ff.filters.contains("unsharp_opencl") { lacking.append("the unsharp_opencl filter") }
            if !ff.encoders.contains("libx264") { lacking.append("the libx264 encoder") }
            guard lacking.isEmpty else {
                return .failure(missing("this host's ffmpeg lacks \(lacking.joined(separator: ", "))", fix: fullBuild))
            }
            return .success(.opencl(deviceSelector: device.selector))

        case .cuda:
            if let problem = cudaProblem(inventory) { return .failure(problem) }
            guard let gpu = leastLoaded(inventory.gpus) else { return .failure(noGPU) }
            let nvenc = gpu.engines.canEncode && ff.encoders.contains("h264_nvenc")
            guard nvenc || ff.encoders.contains("libx264") else {
                return .failure(
                    missing(
                        "GPU \(gpu.index) (\(gpu.name)) has no NVENC encoder and this host's ffmpeg lacks libx264",
                        fix: fullBuild))
            }
            return .success(.cuda(gpuIndex: gpu.index, nvenc: nvenc))

        case .hybrid:
            if cudaProblem(inventory) == nil, ff.encoders.contains("h264_nvenc"),
                let gpu = leastLoaded(inventory.gpus.filter(\.engines.canEncode))
            {
                return .success(.cuda(gpuIndex: gpu.index, nvenc: true))
            }
            guard cpuEncoders else {
                return .failure(
                    missing(
                        "no GPU here can encode with NVENC and this host's ffmpeg has neither libx264 nor libx265",
                        fix: fullBuild))
            }
            return .success(.cpu)
        }
    }

    private static let fullBuild = "install a full ffmpeg build (Debian: apt-get install ffmpeg)"

    private static func missing(_ what: String, fix: String) -> JobError {
        JobError(code: .unsupported, message: "\(what); \(fix), or send the job to another pool")
    }

    private static let noGPU = missing(
        "no NVIDIA GPU was found (nvidia-smi reported none)", fix: "install the NVIDIA driver")

    private static func cudaProblem(_ inventory: DeviceInventory) -> JobError? {
        if inventory.gpus.isEmpty { return noGPU }
        var lacking: [String] = []
        if !inventory.ffmpeg.hwaccels.contains("cuda") { lacking.append("the cuda hwaccel") }
        if !inventory.ffmpeg.filters.contains("scale_cuda") { lacking.append("the scale_cuda filter") }
        guard lacking.isEmpty else {
            return missing("this host's ffmpeg lacks \(lacking.joined(separator: ", "))", fix: fullBuild)
        }
        return nil
    }

    /// Busiest engine first (a GPU whose decoders are saturated is busy even at low SM load), then memory in use.
    static func leastLoaded(_ gpus: [GPUDevice]) -> GPUDevice? {
        func load(_ gpu: GPUDevice) -> (Double, Double, Int) {
            let busiest =
                [gpu.utilizationPercent, gpu.encoderUtilizationPercent, gpu.decoderUtilizationPercent]
                .compactMap { $0 }.max() ?? 0
            let memory = gpu.memoryTotalMiB > 0 ? Double(gpu.memoryUsedMiB) / Double(gpu.memoryTotalMiB) : 0
            return (busiest, memory, gpu.index)
        }
        return gpus.min { load($0) < load($1) }
    }
}
