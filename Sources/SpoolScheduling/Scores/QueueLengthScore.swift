/// Prefers workers with fewer jobs assigned (running or placed) per slot.
public struct QueueLengthScore: ScorePlugin {
    public let name = "queue_length"
    public let normalization = ScoreNormalization.absolute
    public init() {}

    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        worker.slots > 0 ? 1 - min(1, Double(worker.assigned) / Double(worker.slots)) : 0
    }
}
