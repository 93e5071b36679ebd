import Foundation

/// One worker of the pool as scale-in sees it: whether it is busy and what keeping it costs.
public struct PoolWorker: Sendable, Codable, Equatable {
    public var id: String
    public var runningJobs: Int
    public var hourlyPrice: Double
    public var startedAt: Date

    public init(id: String, runningJobs: Int, hourlyPrice: Double, startedAt: Date) {
        self.id = id
        self.runningJobs = runningJobs
        self.hourlyPrice = hourlyPrice
        self.startedAt = startedAt
    }

    public var isIdle: Bool { runningJobs == 0 }

    private enum CodingKeys: String, CodingKey {
        case id
        case runningJobs = "running_jobs"
        case hourlyPrice = "hourly_price"
        case startedAt = "started_at"
    }
}
