/// How much encoder effort a job's outputs get. The outputs (names, sizes, codecs, rate control) are the same at
/// either speed; `faster` trades compression efficiency for time. It is the only quality lever overload may pull.
///
/// The quality floor: `faster` is x264/x265 `superfast` instead of `veryfast`, and NVENC `p2` instead of `p4`, at
/// the same CRF or bitrate, so the picture stays at the asked quality target while the file may grow, or (for a
/// bitrate-capped output) the picture loses a little detail. Every output is still validated as usual.
public enum EncoderSpeed: String, Codable, Sendable, CaseIterable {
    case standard
    case faster

    /// libx264 and libx265 `-preset`.
    public var softwarePreset: String {
        switch self {
        case .standard: "veryfast"
        case .faster: "superfast"
        }
    }

    /// NVENC `-preset` (p1 fastest … p7 best).
    public var nvencPreset: String {
        switch self {
        case .standard: "p4"
        case .faster: "p2"
        }
    }
}
