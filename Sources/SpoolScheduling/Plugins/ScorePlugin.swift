/// How a plugin's raw score becomes 0…100 before weighting.
public enum ScoreNormalization: String, Codable, Sendable {
    /// The raw score is already a fraction 0…1 (free memory share, 1 − utilisation).
    case absolute
    /// The raw score is a quantity (TFLOPS, GB/s); divided by the best candidate's in this cycle.
    case relativeToBest
}

/// A score plugin rates a feasible candidate; higher is better.
public protocol ScorePlugin: Sendable {
    var name: String { get }
    var normalization: ScoreNormalization { get }
    func score(_ context: CandidateContext, _ candidate: Candidate) -> Double
}

extension ScorePlugin {
    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        Candidate.with(worker: worker, device: device) { score(context, $0) }
    }
}
