/// Prefers more memory bandwidth (GB/s), relative to the best candidate: scaling and colour conversion are
/// bandwidth-bound.
public struct MemoryBandwidthScore: ScorePlugin {
    public var name: String { "memory_bandwidth" }
    public var normalization: ScoreNormalization { .relativeToBest }
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        candidate.device.performance.memoryBandwidthGBps
    }
}
