/// The hardware path a pool uses.
public enum PoolKind: String, Codable, Sendable, CaseIterable, Comparable {
    /// libx264 / libx265 on CPU cores.
    case cpu
    /// ffmpeg's OpenCL filters (PoCL runs them on a CPU) with a CPU encoder.
    case opencl
    /// NVDEC + scale_cuda + NVENC, or NVDEC + CPU encode on cards without NVENC.
    case cuda
    /// A worker with both a GPU and CPU encoders that chooses per job.
    case hybrid

    public static func < (lhs: PoolKind, rhs: PoolKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
