import SpoolCore

/// Picks the hardware route for a job on this host from what discovery found. Never assumes a capability.
public enum EncodePathChooser {
    /// The route the scheduler chose: exactly the path recorded on the placement, on its GPU. A worker that cannot
    /// run that path refuses the job (`PlacedPathError`) rather than running another. Without a placement (pull
    /// dispatch, `plan`), the worker chooses as `choose(pool:inventory:)` does.
    public static func choose(
        pool: PoolKind, inventory: DeviceInventory, placement: JobPlacement?, acceleration: Acceleration = .auto
    ) -> Result<EncodePath, JobError> {
        guard let placement else { return choose(pool: pool, inventory: inventory) }
        return follow(placement, inventory: inventory, acceleration: acceleration).mapError(\.jobError)
    }

    /// Runs the placement's path or says why this worker cannot.
    public static func follow(_ placement: JobPlacement, inventory: DeviceInventory, acceleration: Acceleration = .auto)
        -> Result<EncodePath, PlacedPathError>
    {
        let path = placement.path
        if acceleration == .nvenc && path != .nvenc {
            return .failure(.accelerationRefused(path: path, gpu: placement.gpu))
        }
        var gpu: GPUDevice?
        if path.usesGPU {
            guard let index = placement.gpu else { return .failure(.noGPUInPlacement(path: path)) }
            guard let found = inventory.gpus.first(where: { $0.index == index }) else {
                return .failure(.gpuMissing(index: index))
            }
            gpu = found
        }
        if let problem = EncodeCapability.problem(running: path, gpu: gpu, on: inventory) {
            return .failure(.cannotRun(path: path, gpu: placement.gpu, reason: problem))
        }
        switch path {
        case .cpu:
            return .success(.cpu)
        case .opencl:
            guard let device = EncodeCapability.openCLDevice(inventory) else {
                return .failure(.cannotRun(path: path, gpu: nil, reason: "no OpenCL device was found"))
            }
            return .success(.opencl(deviceSelector: device.selector))
        case .nvenc, .nvdec:
            return .success(.cuda(gpuIndex: gpu!.index, nvenc: path == .nvenc))
        }
    }

    /// cpu → `.cpu`; opencl → the first OpenCL device; cuda → the least-loaded GPU, with NVENC when that GPU has it;
    /// hybrid → CUDA with NVENC on the least-loaded GPU that can encode, else `.cpu`. A pool kind the inventory cannot
    /// serve is `unsupported`, naming what is missing.
    public static func choose(pool: PoolKind, inventory: DeviceInventory) -> Result<EncodePath, JobError> {
        let ff = inventory.ffmpeg
        let cpuEncoders = !EncodeCapability.cpuEncoders(ff).isEmpty
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
            let lacking = EncodeCapability.openCLLacking(ff)
            guard lacking.isEmpty else {
                return .failure(missing("this host's ffmpeg lacks \(lacking.joined(separator: ", "))", fix: fullBuild))
            }
            return .success(.opencl(deviceSelector: device.selector))

        case .cuda:
            if let problem = cudaProblem(inventory) { return .failure(problem) }
            guard let gpu = leastLoaded(inventory.gpus) else { return .failure(noGPU) }
            let nvenc = EncodeCapability.canNVENC(gpu, ff)
            guard nvenc || ff.encoders.contains("libx264") else {
                return .failure(
                    missing(
                        "GPU \(gpu.index) (\(gpu.name)) has no NVENC encoder and this host's ffmpeg lacks libx264",
                        fix: fullBuild))
            }
            return .success(.cuda(gpuIndex: gpu.index, nvenc: nvenc))

        case .hybrid:
            if cudaProblem(inventory) == nil,
                let gpu = leastLoaded(inventory.gpus.filter { EncodeCapability.canNVENC($0, ff) })
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
        let lacking = EncodeCapability.cudaLacking(inventory.ffmpeg)
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

/// Why a worker cannot run the path the scheduler placed a job on. The worker never silently runs another path:
/// the reservation the scheduler made (encoder sessions, GPU memory) would no longer match what runs.
public enum PlacedPathError: Error, Sendable, Equatable {
    /// The job asks for NVENC and was placed on another path.
    case accelerationRefused(path: PlacementPath, gpu: Int?)
    /// A GPU path without a GPU index: a malformed placement.
    case noGPUInPlacement(path: PlacementPath)
    /// The placement names a GPU this worker does not have.
    case gpuMissing(index: Int)
    /// This worker lacks what the path needs (an engine, an ffmpeg encoder or filter, an OpenCL device).
    case cannotRun(path: PlacementPath, gpu: Int?, reason: String)

    /// The job-level error: a job that asks for NVENC and was placed without it is unsupported; the rest are the
    /// scheduler's and this worker's disagreement, retried so the job is placed again.
    public var jobError: JobError {
        switch self {
        case .accelerationRefused(let path, let gpu):
            JobError(
                code: .unsupported,
                message: "the job asks for NVENC, and was placed on the \(path.rawValue) path"
                    + (gpu.map { " on GPU \($0), which cannot encode" } ?? "")
                    + "; send it to a pool with NVENC, or send the job to another pool")
        case .noGPUInPlacement(let path):
            JobError(
                code: .internalError,
                message: "the job was placed on the \(path.rawValue) path without a GPU; it will be placed again")
        case .gpuMissing(let index):
            JobError(
                code: .internalError,
                message: "the job was placed on GPU \(index), which this worker does not have; it will be placed again")
        case .cannotRun(let path, let gpu, let reason):
            JobError(
                code: .internalError,
                message: "the job was placed on the \(path.rawValue) path"
                    + (gpu.map { " on GPU \($0)" } ?? "")
                    + ", which this worker cannot run: \(reason); it will be placed again")
        }
    }
}
