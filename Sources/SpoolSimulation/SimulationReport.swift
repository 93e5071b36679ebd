import Foundation

/// Everything one simulation run found, policy by policy, with the time series the charts draw.
public struct SimulationReport: Sendable, Codable, Equatable {
    public struct WorkloadSummary: Sendable, Codable, Equatable {
        public var name: String
        public var jobs: Int
        public var hours: Double
        /// The most jobs in flight per timeline bucket when every job starts on arrival.
        public var peakOfferedLoad: Double
        public var outages: [OutageWindow]

        private enum CodingKeys: String, CodingKey {
            case name, jobs, hours, outages
            case peakOfferedLoad = "peak_offered_load"
        }
    }

    public var seed: UInt64
    public var workload: WorkloadSummary
    public var fleet: FleetSettings
    public var tickSeconds: Double
    public var timelineBucketSeconds: Double
    public var sloTargets: SLOTargets
    public var schedulingProfile: String
    public var policies: [PolicyReport]
    /// The workload's offered load per timeline bucket, the charts' reference line.
    public var offeredLoad: [Double]
    public var packing: PackingComparison?
    /// Seconds the run took on the wall clock, when the command measured it; nil from `Simulator`, so that the
    /// same seed still gives the same report there.
    public var wallSeconds: Double?
    /// The goal of the cost-aware policy, when the run has it and the HPA rule: its cost ÷ the HPA rule's, its
    /// GPU-hours ÷ theirs, and its SLO violations over every class.
    public var costGoal: CostGoal?
    /// The fleet over several clouds, when the run had one (`fleet` is then its first pool's).
    public var cloud: CloudFleet? = nil

    /// Sorted keys, so a seed's report is the same bytes every time.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(self)
    }

    private enum CodingKeys: String, CodingKey {
        case seed, workload, fleet, policies, packing, cloud
        case tickSeconds = "tick_seconds"
        case timelineBucketSeconds = "timeline_bucket_seconds"
        case sloTargets = "slo_targets"
        case schedulingProfile = "scheduling_profile"
        case offeredLoad = "offered_load"
        case wallSeconds = "wall_seconds"
        case costGoal = "cost_goal"
    }
}
