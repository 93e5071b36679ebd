/// Spreading (least allocated): the mirror of bin-packing, for latency over density.
public struct SpreadScore: ScorePlugin {
    public let name = "spread"
    public let normalization = ScoreNormalization.absolute
    public init() {}

    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        1 - DeviceAllocation.fractionAfter(context, worker: worker, device: device)
    }
}
