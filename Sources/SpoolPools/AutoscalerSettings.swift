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
    /// Batch in cheap hours: waiting batch jobs are left out of a pool's backlog until the oldest has waited this
    /// long, so they run on capacity already paid for; keep it under the batch SLO less a boot. Nil (the default):
    /// batch work counts like any other.
    public var batchDeferralSeconds: Double?
    /// Batch planned into troughs: past the deferral, batch jobs still wait, up to this long, for the forecast's
    /// quietest interval, as many as its free job slots hold. Needs `batch_deferral_seconds` and a forecast worth
    /// following; keep it under the batch SLO less a boot. Nil (the default): batch counts once its deferral ends.
    public var batchTroughWaitSeconds: Double?
    /// More than one cloud: the price per GB of moving data out of each provider, where inputs are stored (by URL
    /// prefix), and the input size assumed before one is measured. With egress prices, batch work counts for the
    /// pool where it costs least (`BatchRouting`).
    public var egressPerGB: [String: Double]
    public var inputLocations: [InputLocation]
    public var assumedInputGB: Double

    public init(
        intervalSeconds: Double = 10, decisionsKept: Int = 200, tolerance: Double = 0.1,
        rates: ScalingRates = ScalingRates(), predictive: PredictiveSettings? = nil, catalog: [InstanceType] = [],
        waitValuePerJobSecond: Double = 0.002, horizonSeconds: Double = 3600,
        spotInterruptionBackoffSeconds: Double = 1800, workerTimeoutSeconds: Double = 15,
        batchDeferralSeconds: Double? = nil, batchTroughWaitSeconds: Double? = nil, egressPerGB: [String: Double] = [:],
        inputLocations: [InputLocation] = [], assumedInputGB: Double = 2
    ) {
        self.batchDeferralSeconds = batchDeferralSeconds
        self.batchTroughWaitSeconds = batchTroughWaitSeconds
        self.egressPerGB = egressPerGB
        self.inputLocations = inputLocations
        self.assumedInputGB = assumedInputGB
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
            if let deferral = settings.batchDeferralSeconds, !(deferral >= 0 && deferral.isFinite) {
                throw SettingsError("\(path): batch_deferral_seconds must be 0 or more seconds (or left out)")
            }
            if let troughWait = settings.batchTroughWaitSeconds {
                guard let deferral = settings.batchDeferralSeconds, troughWait >= deferral, troughWait.isFinite else {
                    throw SettingsError(
                        "\(path): batch_trough_wait_seconds needs batch_deferral_seconds and must be at least it "
                            + "(batch waits for a trough only after its deferral)")
                }
            }
            if let (provider, price) = settings.egressPerGB.first(where: { !($0.value >= 0 && $0.value.isFinite) }) {
                throw SettingsError("\(path): egress_per_gb.\(provider) must be 0 or more, got \(price)")
            }
            if !(settings.assumedInputGB >= 0 && settings.assumedInputGB.isFinite) {
                throw SettingsError("\(path): assumed_input_gb must be 0 or more")
            }
            if let confidence = settings.predictive?.minimumConfidence, !(0...1).contains(confidence) {
                throw SettingsError("\(path): predictive.minimum_confidence must be between 0 and 1")
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
        let types = catalogTypes(for: pool)
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
            rates: rates, cooldownSeconds: pool.scaling.cooldownSeconds, predictive: predictive, cost: cost,
            batchDeferralSeconds: batchDeferralSeconds, batchTroughWaitSeconds: batchTroughWaitSeconds)
    }

    /// The hourly price of one worker of the pool, for choosing which idle worker to drain first; a worker that
    /// says its capacity type is priced as such (an on-demand worker of a spot pool costs the on-demand price).
    public func hourlyPrice(for pool: PoolSpec, capacity: CapacityType? = nil) -> Double {
        let type = pool.instanceType.flatMap { _ in catalogTypes(for: pool).first }
        return type?.hourlyPrice(spot: capacity.map { $0 == .spot } ?? pool.spot) ?? 0
    }

    /// The catalog entries a pool may start: its instance type if it names one, and only its provider's prices when
    /// it has a provider (entries without a provider are sold everywhere).
    public func catalogTypes(for pool: PoolSpec) -> [InstanceType] {
        catalog.filter { type in
            (pool.instanceType == nil || type.name == pool.instanceType)
                && (pool.provider == nil || type.provider == nil || type.provider == pool.provider)
        }
    }

    /// The routing of batch work across clouds, or nil without egress prices (one cloud: nothing to weigh).
    /// `jobSeconds` is the run time assumed for the compute cost.
    public func batchRouting(for pools: [PoolSpec], jobSeconds: Double) -> BatchRouting? {
        guard !egressPerGB.isEmpty else { return nil }
        var prices: [String: BatchRouting.PoolPrice] = [:]
        for pool in pools {
            guard
                let type = InstanceCatalog(catalogTypes(for: pool)).cheapestPerSlot(spot: pool.spot)
                    ?? InstanceCatalog(catalogTypes(for: pool)).cheapestPerSlot(spot: false)
            else { continue }
            let slots = max(pool.slotsPerWorker ?? type.jobSlots, 1)
            prices[pool.name] = BatchRouting.PoolPrice(
                provider: pool.provider, pricePerSlotHour: type.hourlyPrice(spot: pool.spot) / Double(slots),
                slotsAtMaximum: slots * pool.maxWorkers)
        }
        return BatchRouting(
            pools: prices, egressPerGB: egressPerGB, inputLocations: inputLocations, assumedInputGB: assumedInputGB,
            jobSeconds: jobSeconds)
    }

    enum CodingKeys: String, CodingKey {
        case intervalSeconds = "interval_seconds"
        case decisionsKept = "decisions_kept"
        case tolerance, rates, predictive, catalog
        case waitValuePerJobSecond = "wait_value_per_job_second"
        case horizonSeconds = "horizon_seconds"
        case spotInterruptionBackoffSeconds = "spot_interruption_backoff_seconds"
        case workerTimeoutSeconds = "worker_timeout_seconds"
        case batchDeferralSeconds = "batch_deferral_seconds"
        case batchTroughWaitSeconds = "batch_trough_wait_seconds"
        case egressPerGB = "egress_per_gb"
        case inputLocations = "input_locations"
        case assumedInputGB = "assumed_input_gb"
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
        batchDeferralSeconds = try c.decodeIfPresent(Double.self, forKey: .batchDeferralSeconds)
        batchTroughWaitSeconds = try c.decodeIfPresent(Double.self, forKey: .batchTroughWaitSeconds)
        egressPerGB = try c.decodeIfPresent([String: Double].self, forKey: .egressPerGB) ?? [:]
        inputLocations = try c.decodeIfPresent([InputLocation].self, forKey: .inputLocations) ?? []
        assumedInputGB = try c.decodeIfPresent(Double.self, forKey: .assumedInputGB) ?? d.assumedInputGB
    }
}

public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
