/// How a job runs on the device the scheduler placed it on; the resources it holds there depend on it. The
/// scheduler records it on the placement and the worker runs exactly that path.
public enum PlacementPath: String, Codable, Sendable, CaseIterable {
    /// NVDEC → scale_cuda → NVENC: every video encode holds an encoder session.
    case nvenc
    /// NVDEC → scale_cuda → hwdownload → libx264 on the host: a decoder session and GPU memory, no encoder.
    case nvdec
    /// OpenCL filters with a CPU encoder.
    case opencl
    /// libx264 / libx265 only.
    case cpu

    /// Whether the path runs on a GPU (NVDEC, and NVENC for `.nvenc`).
    public var usesGPU: Bool { self == .nvenc || self == .nvdec }

    /// The path a placement recorded before placements carried one: on a GPU, NVENC when it reserved encoder
    /// sessions, else NVDEC with a CPU encoder; on the host, the CPU.
    public static func inferred(gpu: Int?, demand: ResourceDemand) -> PlacementPath {
        guard gpu != nil else { return .cpu }
        return demand.encoderSessions > 0 ? .nvenc : .nvdec
    }
}
