/// Prefers faster devices: FP32 TFLOPS, relative to the best candidate.
public struct ComputeCapabilityScore: ScorePlugin {
    public var name: String { "compute_capability" }
    public var normalization: ScoreNormalization { .relativeToBest }
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        candidate.device.performance.fp32TFLOPS
    }
}
