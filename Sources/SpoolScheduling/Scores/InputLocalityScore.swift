/// Prefers a worker that already holds the job's input in its local cache (no second download).
public struct InputLocalityScore: ScorePlugin {
    public let name = "input_locality"
    public let normalization = ScoreNormalization.absolute
    public init() {}

    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        worker.cachedInputs.contains(context.request.inputKey) ? 1 : 0
    }
}
