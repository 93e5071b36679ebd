/// How far the forecast was off over the last intervals, as a confidence: 1 minus the weighted absolute percentage
/// error (Σ|forecast − actual| ÷ Σ actual), at least 0. A day unlike the days the model learned (an outage, a
/// launch) shows as a drop here, and the autoscaler then trusts the current load over the season.
struct ForecastAccuracy: Sendable, Equatable {
    /// Intervals scored: two hours of 15-minute intervals, long enough to ride out one noisy interval and short
    /// enough to notice a broken day within the hour.
    static let window = 8
    /// Fewer scored intervals than this say nothing yet.
    static let minimumScored = 4

    private var errors: [Double] = []
    private var actuals: [Double] = []

    mutating func score(forecast: Double, actual: Double) {
        errors.append(abs(forecast - actual))
        actuals.append(actual)
        if errors.count > Self.window {
            errors.removeFirst()
            actuals.removeFirst()
        }
    }

    var scored: Int { errors.count }

    var confidence: Double? {
        guard errors.count >= Self.minimumScored else { return nil }
        // A floor of one job per interval keeps an idle pool's tiny loads from reading as huge relative errors.
        let total = actuals.reduce(0) { $0 + max($1, 1) }
        return max(0, 1 - errors.reduce(0, +) / total)
    }
}
