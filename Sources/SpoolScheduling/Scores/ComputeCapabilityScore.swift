/// Prefers faster devices: FP32 TFLOPS, relative to the best candidate.
public struct ComputeCapabilityScore: ScorePlugin {
    public let name = "compute_capability"
    public let normalization = ScoreNormalization.relativeToBest
    public init() {}

    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        device.performance.fp32TFLOPS
    }
}
