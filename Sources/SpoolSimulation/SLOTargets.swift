import SpoolCore

/// The longest queue wait each service class tolerates; a job placed later than this counts as a violation.
public struct SLOTargets: Sendable, Codable, Equatable {
    public var realtimeSeconds: Double
    public var standardSeconds: Double
    public var batchSeconds: Double

    public init(realtimeSeconds: Double = 60, standardSeconds: Double = 600, batchSeconds: Double = 3_600) {
        self.realtimeSeconds = realtimeSeconds
        self.standardSeconds = standardSeconds
        self.batchSeconds = batchSeconds
    }

    public func seconds(for serviceClass: ServiceClass) -> Double {
        switch serviceClass {
        case .realtime: realtimeSeconds
        case .standard: standardSeconds
        case .batch: batchSeconds
        }
    }

    private enum CodingKeys: String, CodingKey {
        case realtimeSeconds = "realtime_seconds"
        case standardSeconds = "standard_seconds"
        case batchSeconds = "batch_seconds"
    }
}
