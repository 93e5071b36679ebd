/// How a job would run on one candidate device; the resources it holds depend on it.
public enum DevicePath: String, Codable, Sendable, CaseIterable {
    /// NVDEC → scale_cuda → NVENC: every video encode holds an encoder session.
    case nvenc
    /// NVDEC → scale_cuda → hwdownload → libx264 on the host: a decoder session and GPU memory, no encoder.
    case nvdec
    /// OpenCL filters with a CPU encoder.
    case opencl
    /// libx264 / libx265 only.
    case cpu
}
