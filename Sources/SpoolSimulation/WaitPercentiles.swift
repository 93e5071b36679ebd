/// Queue waits summarised: nearest-rank percentiles of every placement's wait, in seconds.
public struct WaitPercentiles: Sendable, Codable, Equatable {
    public var p50Seconds: Double
    public var p95Seconds: Double
    public var p99Seconds: Double
    public var maxSeconds: Double
    public var meanSeconds: Double

    public init(p50Seconds: Double, p95Seconds: Double, p99Seconds: Double, maxSeconds: Double, meanSeconds: Double) {
        self.p50Seconds = p50Seconds
        self.p95Seconds = p95Seconds
        self.p99Seconds = p99Seconds
        self.maxSeconds = maxSeconds
        self.meanSeconds = meanSeconds
    }

    init(waits: [Double]) {
        let sorted = WaitSorting.sorted(waits)
        self.init(
            p50Seconds: Self.percentile(sorted, 0.50), p95Seconds: Self.percentile(sorted, 0.95),
            p99Seconds: Self.percentile(sorted, 0.99), maxSeconds: sorted.last ?? 0,
            meanSeconds: sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count))
    }

    /// Nearest rank on sorted values; 0 for none.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    private enum CodingKeys: String, CodingKey {
        case p50Seconds = "p50_seconds"
        case p95Seconds = "p95_seconds"
        case p99Seconds = "p99_seconds"
        case maxSeconds = "max_seconds"
        case meanSeconds = "mean_seconds"
    }
}
