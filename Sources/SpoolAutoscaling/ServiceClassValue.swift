/// What waiting costs for the service class a pool serves, and whether its work survives spot interruptions.
public struct ServiceClassValue: Sendable, Codable, Equatable {
    public var name: String
    /// Money one job-second of waiting is worth avoiding, in the catalog's currency.
    public var waitValuePerJobSecond: Double
    /// Batch work can be retried after an interruption; realtime work cannot.
    public var allowsSpot: Bool

    public init(name: String, waitValuePerJobSecond: Double, allowsSpot: Bool) {
        self.name = name
        self.waitValuePerJobSecond = waitValuePerJobSecond
        self.allowsSpot = allowsSpot
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case waitValuePerJobSecond = "wait_value_per_job_second"
        case allowsSpot = "allows_spot"
    }
}
