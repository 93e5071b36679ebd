/// Prefers compute per watt, discounted by how close the card already runs to its power limit (a card near its
/// limit clocks down), relative to the best candidate.
public struct PowerEfficiencyScore: ScorePlugin {
    public var name: String { "power_efficiency" }
    public var normalization: ScoreNormalization { .relativeToBest }
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        var headroom = 1.0
        if let draw = candidate.device.powerDrawW, let limit = candidate.device.powerLimitW, limit > 0 {
            headroom = 1 - 0.5 * min(1, max(0, draw / limit))
        }
        return candidate.device.performance.tflopsPerWatt * headroom
    }
}
