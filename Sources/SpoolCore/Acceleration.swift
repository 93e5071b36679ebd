/// What hardware a job asks for. `auto` lets the scheduler choose; the others are requirements it never bends.
public enum Acceleration: String, Codable, Sendable, CaseIterable {
    /// Any device that can run the outputs: NVENC, NVDEC with CPU encode, OpenCL or CPU.
    case auto
    /// Encode on NVENC. A GPU without encoders (A100, H100, H200) is never chosen.
    case nvenc
    /// Decode on a GPU (NVDEC); encode on NVENC where there is one, else on the host CPU.
    case gpu
    /// CPU only (libx264/libx265).
    case cpu
}
