/// One point of a policy's time series: the end of one bucket (five minutes by default).
public struct TimelinePoint: Sendable, Codable, Equatable {
    /// Minutes since the start at the bucket's end.
    public var minute: Double
    /// The most jobs waiting plus running at any tick of the bucket.
    public var load: Int
    /// Workers ready or booting at the bucket's end.
    public var workers: Int
    /// The 95th percentile wait of the jobs placed in the bucket; 0 when none was placed.
    public var p95WaitSeconds: Double

    public init(minute: Double, load: Int, workers: Int, p95WaitSeconds: Double) {
        self.minute = minute
        self.load = load
        self.workers = workers
        self.p95WaitSeconds = p95WaitSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case minute, load, workers
        case p95WaitSeconds = "p95_wait_seconds"
    }
}
