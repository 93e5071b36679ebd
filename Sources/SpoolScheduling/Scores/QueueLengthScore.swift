/// Prefers workers with fewer jobs assigned (running or placed) per slot.
public struct QueueLengthScore: ScorePlugin {
    public var name: String { "queue_length" }
    public var normalization: ScoreNormalization { .absolute }
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        candidate.worker.slots > 0 ? 1 - min(1, Double(candidate.worker.assigned) / Double(candidate.worker.slots)) : 0
    }
}
