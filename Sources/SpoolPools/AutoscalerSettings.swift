import Foundation
import SpoolAutoscaling
import SpoolCore

/// The autoscaler's configuration shared by every pool (`--autoscaler-config FILE`, JSON); each pool's own bounds and
/// targets come from its spec.
///
///     {"interval_seconds": 10, "decisions_kept": 200, "tolerance": 0.1,
///      "rates": {"scale_up": [{"kind": "percent", "value": 100, "period_seconds": 15}], ...},
///      "predictive": {"sample_interval_seconds": 900, "season_length": 96, "boot_seconds": 180},
///      "catalog": [{"name": "g6.xlarge", "price_per_hour": 0.80, "spot_price_per_hour": 0.32,
///                   "boot_seconds": 120, "gpus_per_instance": 1, "job_slots": 4}],
///      "wait_value_per_job_second": 0.002, "horizon_seconds": 3600}
public struct AutoscalerSettings: Codable, Sendable, Equatable {
    public var intervalSeconds: Double
    /// Decisions kept per pool in the store.
    public var decisionsKept: Int
    public var tolerance: Double
    public var rates: ScalingRates
    /// Nil turns the seasonal forecast off.
    public var predictive: PredictiveSettings?
    /// Instance types pools may start; empty turns the cost judgement off.
    public var catalog: [InstanceType]
    /// What a job-second of waiting is worth avoiding, in the catalog's currency.
    public var waitValuePerJobSecond: Double
    public var horizonSeconds: Double
    /// A worker of a spot pool that leaves without being asked counts as an interruption: new workers are on-demand
    /// for this long.
    public var spotInterruptionBackoffSeconds: Double
    /// How long a worker may go without heartbeating and still count.
    public var workerTimeoutSeconds: Double

    public init(
        intervalSeconds: Double = 10, decisionsKept: Int = 200, tolerance: Double = 0.1,
        rates: ScalingRates = ScalingRates(), predictive: PredictiveSettings? = nil, catalog: [InstanceType] = [],
        waitValuePerJobSecond: Double = 0.002, horizonSeconds: Double = 3600,
        spotInterruptionBackoffSeconds: Double = 1800, workerTimeoutSeconds: Double = 15
    ) {
        self.intervalSeconds = intervalSeconds
        self.decisionsKept = decisionsKept
        self.tolerance = tolerance
        self.rates = rates
        self.predictive = predictive
        self.catalog = catalog
        self.waitValuePerJobSecond = waitValuePerJobSecond
        self.horizonSeconds = horizonSeconds
        self.spotInterruptionBackoffSeconds = spotInterruptionBackoffSeconds
        self.workerTimeoutSeconds = workerTimeoutSeconds
    }

    public static func load(path: String) throws -> AutoscalerSettings {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SettingsError("cannot read the autoscaler configuration \(path): \(error.localizedDescription)")
        }
        do {
            let settings = try JSONDecoder().decode(AutoscalerSettings.self, from: data)
            guard settings.intervalSeconds > 0, settings.decisionsKept > 0 else {
                throw SettingsError("\(path): interval_seconds and decisions_kept must be above 0")
            }
            return settings
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError("\(path) is not a valid autoscaler configuration: \(error)")
        }
    }

    /// The full policy of one pool: its spec's bounds and targets, this configuration's rates, forecast and prices.
    public func policy(for pool: PoolSpec) -> AutoscalerPolicy {
        var cost: CostSettings?
        let types = pool.instanceType.map { name in catalog.filter { $0.name == name } } ?? catalog
        // A spot pool gets the judgement even without prices: it alone chooses spot or on-demand (the backoff).
        if !types.isEmpty || pool.spot {
            cost = CostSettings(
                catalog: InstanceCatalog(types),
                serviceClass: ServiceClassValue(
                    name: pool.name, waitValuePerJobSecond: waitValuePerJobSecond, allowsSpot: pool.spot),
                horizonSeconds: horizonSeconds, spotInterruptionBackoffSeconds: spotInterruptionBackoffSeconds)
        }
        return AutoscalerPolicy(
            minWorkers: pool.minWorkers, maxWorkers: pool.maxWorkers,
            targetBacklogPerWorker: pool.scaling.backlogPerWorker, tolerance: tolerance,
            targetWaitSeconds: pool.scaling.targetWaitSeconds,
            stabilization: StabilizationWindows(scaleDownSeconds: pool.scaling.scaleDownStabilizationSeconds),
            rates: rates, cooldownSeconds: pool.scaling.cooldownSeconds, predictive: predictive, cost: cost)
    }

    /// The hourly price of one worker of the pool, for choosing which idle worker to drain first; a worker that
    /// says its capacity type is priced as such (an on-demand worker of a spot pool costs the on-demand price).
    public func hourlyPrice(for pool: PoolSpec, capacity: CapacityType? = nil) -> Double {
        let type = pool.instanceType.flatMap { name in catalog.first { $0.name == name } }
        return type?.hourlyPrice(spot: capacity.map { $0 == .spot } ?? pool.spot) ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case intervalSeconds = "interval_seconds"
        case decisionsKept = "decisions_kept"
        case tolerance, rates, predictive, catalog
        case waitValuePerJobSecond = "wait_value_per_job_second"
        case horizonSeconds = "horizon_seconds"
        case spotInterruptionBackoffSeconds = "spot_interruption_backoff_seconds"
        case workerTimeoutSeconds = "worker_timeout_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AutoscalerSettings()
        intervalSeconds = try c.decodeIfPresent(Double.self, forKey: .intervalSeconds) ?? d.intervalSeconds
        decisionsKept = try c.decodeIfPresent(Int.self, forKey: .decisionsKept) ?? d.decisionsKept
        tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? d.tolerance
        rates = try c.decodeIfPresent(ScalingRates.self, forKey: .rates) ?? d.rates
        predictive = try c.decodeIfPresent(PredictiveSettings.self, forKey: .predictive)
        catalog = try c.decodeIfPresent([InstanceType].self, forKey: .catalog) ?? []
        waitValuePerJobSecond =
            try c.decodeIfPresent(Double.self, forKey: .waitValuePerJobSecond) ?? d.waitValuePerJobSecond
        horizonSeconds = try c.decodeIfPresent(Double.self, forKey: .horizonSeconds) ?? d.horizonSeconds
        spotInterruptionBackoffSeconds =
            try c.decodeIfPresent(Double.self, forKey: .spotInterruptionBackoffSeconds)
            ?? d.spotInterruptionBackoffSeconds
        workerTimeoutSeconds =
            try c.decodeIfPresent(Double.self, forKey: .workerTimeoutSeconds) ?? d.workerTimeoutSeconds
    }
}

public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
