/// Prefers devices with more GPU memory left after this job's reservation (a share of capacity). Host devices
/// reserve no GPU memory and score full.
public struct AvailableMemoryScore: ScorePlugin {
    public let name = "available_memory"
    public let normalization = ScoreNormalization.absolute
    public init() {}

    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        guard let ledger = device.memory, ledger.virtualCapacityMiB > 0 else { return 1 }
        let after = ledger.freeMiB - context.demand.gpuMemoryMiB
        return max(0, Double(after) / Double(ledger.virtualCapacityMiB))
    }
}
