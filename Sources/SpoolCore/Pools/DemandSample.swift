import Foundation

/// The peak load of one closed sample interval of a pool, as its autoscaler recorded it: what the seasonal forecast
/// learns from. Kept in the store so a new leader, a restarted manager or a resized pool forecasts at once instead of
/// after two seasons (days) of warm-up.
public struct DemandSample: Codable, Sendable, Equatable {
    /// The interval's start.
    public var start: Date
    /// The highest backlog seen in it (jobs waiting plus running).
    public var peak: Double

    public init(start: Date, peak: Double) {
        self.start = start
        self.peak = peak
    }

    enum CodingKeys: String, CodingKey { case start, peak }

    /// How long a pool's demand history is kept: two weeks, two seasons of a weekly pattern.
    public static let retention: TimeInterval = 14 * 86_400
}
