/// The hardware route one job's ffmpeg invocation takes.
public enum EncodePath: Sendable, Equatable, Hashable {
    /// Decode, scale and encode (libx264/libx265) on CPU cores.
    case cpu
    /// CPU decode and scale, an OpenCL filter pass on the device `P.D` (e.g. "0.0"), CPU encode.
    case opencl(deviceSelector: String)
    /// NVDEC decode and `scale_cuda` on GPU `gpuIndex`; NVENC encode when `nvenc`, else download and encode on CPU
    /// (A100/H100/H200 have no NVENC).
    case cuda(gpuIndex: Int, nvenc: Bool)
}
