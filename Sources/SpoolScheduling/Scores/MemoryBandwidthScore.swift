/// Prefers more memory bandwidth (GB/s), relative to the best candidate: scaling and colour conversion are
/// bandwidth-bound.
public struct MemoryBandwidthScore: ScorePlugin {
    public let name = "memory_bandwidth"
    public let normalization = ScoreNormalization.relativeToBest
    public init() {}

    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        device.performance.memoryBandwidthGBps
    }
}
