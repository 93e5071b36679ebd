/// Prefers compute per watt, discounted by how close the card already runs to its power limit (a card near its
/// limit clocks down), relative to the best candidate.
public struct PowerEfficiencyScore: ScorePlugin {
    public let name = "power_efficiency"
    public let normalization = ScoreNormalization.relativeToBest
    public init() {}

    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        var headroom = 1.0
        if let draw = device.powerDrawW, let limit = device.powerLimitW, limit > 0 {
            headroom = 1 - 0.5 * min(1, max(0, draw / limit))
        }
        return device.performance.tflopsPerWatt * headroom
    }
}
