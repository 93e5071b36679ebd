/// Seasonal forecasting of the pool's load, so workers are booting before the load arrives.
public struct PredictiveSettings: Sendable, Codable, Equatable {
    /// Load is recorded as the peak backlog of each interval of this length; the forecast steps in these intervals.
    public var sampleIntervalSeconds: Double
    /// Samples per season: 96 for a daily season of 15-minute samples.
    public var seasonLength: Int
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    /// How far ahead to forecast: a worker asked for now is ready this much later.
    public var bootSeconds: Double
    /// Below this confidence (1 − the forecast's recent weighted error) the forecast is shown but not followed: the
    /// reactive rule alone decides, and the decision says so.
    public var minimumConfidence: Double

    public init(
        sampleIntervalSeconds: Double = 900, seasonLength: Int = 96, alpha: Double = 0.3, beta: Double = 0.05,
        gamma: Double = 0.3, bootSeconds: Double = 180, minimumConfidence: Double = 0.5
    ) {
        self.minimumConfidence = minimumConfidence
        self.sampleIntervalSeconds = sampleIntervalSeconds
        self.seasonLength = seasonLength
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.bootSeconds = bootSeconds
    }

    /// Whole sample intervals covering the boot time; at least one, since the current interval is not closed yet.
    public var forecastSteps: Int {
        max(1, Int((bootSeconds / sampleIntervalSeconds).rounded(.up)))
    }

    private enum CodingKeys: String, CodingKey {
        case sampleIntervalSeconds = "sample_interval_seconds"
        case seasonLength = "season_length"
        case alpha, beta, gamma
        case bootSeconds = "boot_seconds"
        case minimumConfidence = "minimum_confidence"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PredictiveSettings()
        self.init(
            sampleIntervalSeconds: try container.decode(Double.self, forKey: .sampleIntervalSeconds),
            seasonLength: try container.decode(Int.self, forKey: .seasonLength),
            alpha: try container.decodeIfPresent(Double.self, forKey: .alpha) ?? defaults.alpha,
            beta: try container.decodeIfPresent(Double.self, forKey: .beta) ?? defaults.beta,
            gamma: try container.decodeIfPresent(Double.self, forKey: .gamma) ?? defaults.gamma,
            bootSeconds: try container.decode(Double.self, forKey: .bootSeconds),
            minimumConfidence: try container.decodeIfPresent(Double.self, forKey: .minimumConfidence)
                ?? defaults.minimumConfidence)
    }
}
