/// The one judge of what a host or GPU can encode: the pool planner, the scheduler's capability filter and the
/// worker's path chooser all ask here. Pure: it reads what discovery found and never assumes a capability.
public enum EncodeCapability {
    /// The CPU encoders this host's ffmpeg has, in preference order.
    public static func cpuEncoders(_ ffmpeg: FFmpegCapabilities) -> [String] {
        ["libx264", "libx265"].filter { ffmpeg.encoders.contains($0) }
    }

    /// What this host's ffmpeg lacks for the CUDA paths (NVDEC decode and scale_cuda); empty when it has it all.
    public static func cudaLacking(_ ffmpeg: FFmpegCapabilities) -> [String] {
        var lacking: [String] = []
        if !ffmpeg.hwaccels.contains("cuda") { lacking.append("the cuda hwaccel") }
        if !ffmpeg.filters.contains("scale_cuda") { lacking.append("the scale_cuda filter") }
        return lacking
    }

    /// What this host's ffmpeg lacks for the OpenCL path (OpenCL filters, libx264 encode); empty when nothing.
    public static func openCLLacking(_ ffmpeg: FFmpegCapabilities) -> [String] {
        var lacking: [String] = []
        if !ffmpeg.hwaccels.contains("opencl") { lacking.append("the opencl hwaccel") }
        if !ffmpeg.filters.contains("unsharp_opencl") { lacking.append("the unsharp_opencl filter") }
        if !ffmpeg.encoders.contains("libx264") { lacking.append("the libx264 encoder") }
        return lacking
    }

    /// Whether the host can run the CUDA paths at all: a GPU, and an ffmpeg with the cuda hwaccel and scale_cuda.
    public static func cudaReady(_ inventory: DeviceInventory) -> Bool {
        !inventory.gpus.isEmpty && cudaLacking(inventory.ffmpeg).isEmpty
    }

    /// The OpenCL device the host would use, when it has one and its ffmpeg can run the OpenCL path.
    public static func openCLDevice(_ inventory: DeviceInventory) -> OpenCLDevice? {
        guard let device = inventory.opencl.first, openCLLacking(inventory.ffmpeg).isEmpty else { return nil }
        return device
    }

    /// Whether a GPU's engines can encode (NVENC). A100, H100 and H200 decode but cannot encode.
    public static func hasNVENC(_ engines: VideoEngines) -> Bool { engines.canEncode }

    /// Whether this GPU can run the NVENC path on this host: it has encoders and ffmpeg has h264_nvenc.
    public static func canNVENC(_ gpu: GPUDevice, _ ffmpeg: FFmpegCapabilities) -> Bool {
        hasNVENC(gpu.engines) && ffmpeg.encoders.contains("h264_nvenc")
    }

    /// How a job asking for `acceleration` would run on a GPU with these engines, or nil when it cannot: NVENC where
    /// the GPU encodes, else NVDEC with a CPU encoder (never for a job that asks for NVENC or the CPU).
    public static func gpuPath(_ engines: VideoEngines, for acceleration: Acceleration) -> PlacementPath? {
        switch acceleration {
        case .nvenc: hasNVENC(engines) ? .nvenc : nil
        case .gpu, .auto: hasNVENC(engines) ? .nvenc : (engines.canDecode ? .nvdec : nil)
        case .cpu: nil
        }
    }

    /// Whether this host can run `path` on GPU `gpu` (nil for the host itself), judged from its inventory alone.
    /// nil when it can; otherwise what is missing, in words.
    public static func problem(running path: PlacementPath, gpu: GPUDevice?, on inventory: DeviceInventory)
        -> String?
    {
        let ff = inventory.ffmpeg
        switch path {
        case .cpu:
            return cpuEncoders(ff).isEmpty ? "this host's ffmpeg has neither libx264 nor libx265" : nil
        case .opencl:
            guard inventory.opencl.first != nil else { return "no OpenCL device was found" }
            let lacking = openCLLacking(ff)
            return lacking.isEmpty ? nil : "this host's ffmpeg lacks \(lacking.joined(separator: ", "))"
        case .nvenc, .nvdec:
            guard let gpu else { return "the \(path.rawValue) path needs a GPU" }
            let lacking = cudaLacking(ff)
            guard lacking.isEmpty else { return "this host's ffmpeg lacks \(lacking.joined(separator: ", "))" }
            if path == .nvenc {
                guard hasNVENC(gpu.engines) else { return "GPU \(gpu.index) (\(gpu.name)) has no NVENC encoder" }
                guard ff.encoders.contains("h264_nvenc") else { return "this host's ffmpeg lacks h264_nvenc" }
                return nil
            }
            return ff.encoders.contains("libx264") ? nil : "this host's ffmpeg lacks libx264"
        }
    }
}
