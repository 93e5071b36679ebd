/// Bin-packing (most allocated): prefers the device that will be fullest after this job, by GPU memory and
/// encoder sessions, so whole GPUs stay free for large jobs.
public struct BinPackScore: ScorePlugin {
    public var name: String { "bin_pack" }
    public var normalization: ScoreNormalization { .absolute }
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        DeviceAllocation.fractionAfter(context, candidate)
    }
}
