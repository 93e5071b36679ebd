/// Prefers devices with more GPU memory left after this job's reservation (a share of capacity). Host devices
/// reserve no GPU memory and score full.
public struct AvailableMemoryScore: ScorePlugin {
    public var name: String { "available_memory" }
    public var normalization: ScoreNormalization { .absolute }
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        let capacity = candidate.device.memoryFigures.virtualCapacityMiB
        guard capacity > 0 else { return 1 }
        let after = candidate.device.memoryFigures.freeMiB - context.demand.gpuMemoryMiB
        return max(0, Double(after) / Double(capacity))
    }
}
