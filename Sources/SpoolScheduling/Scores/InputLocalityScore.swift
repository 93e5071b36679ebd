/// Prefers a worker that already holds the job's input in its local cache (no second download).
public struct InputLocalityScore: ScorePlugin {
    public var name: String { "input_locality" }
    public var normalization: ScoreNormalization { .absolute }
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        candidate.worker.cachedInputs.contains(context.request.inputKey) ? 1 : 0
    }
}
