/// Spreading (least allocated): the mirror of bin-packing, for latency over density.
public struct SpreadScore: ScorePlugin {
    public var name: String { "spread" }
    public var normalization: ScoreNormalization { .absolute }
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        1 - DeviceAllocation.fractionAfter(context, candidate)
    }
}
