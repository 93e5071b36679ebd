/// Prefers cooler GPUs: 1 at 30 °C or below, 0 at 90 °C (where data-center cards begin to throttle clocks).
/// Unmeasured devices score in the middle.
public struct ThermalScore: ScorePlugin {
    public var name: String { "thermal" }
    public var normalization: ScoreNormalization { .absolute }
    public var coolC: Double = 30
    public var throttleC: Double = 90
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        guard let temperature = candidate.device.temperatureC else { return 0.5 }
        return min(1, max(0, (throttleC - temperature) / (throttleC - coolC)))
    }
}
