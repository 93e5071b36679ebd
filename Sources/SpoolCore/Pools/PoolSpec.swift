import Foundation

/// A pool created through the API: a named group of workers of one kind whose size the autoscaler manages between
/// `minWorkers` and `maxWorkers`. Pools discovered from workers alone (a `spool serve` host's cpu pool) have no spec.
public struct PoolSpec: Codable, Sendable, Equatable {
    public var name: String
    public var kind: PoolKind
    /// Which devices the pool's workers may use; a worker of the pool ignores every other GPU of its host.
    public var deviceSelector: DeviceSelector
    public var minWorkers: Int
    public var maxWorkers: Int
    /// The catalog entry new workers are started as (price, boot time, slots); nil uses the cheapest per slot.
    public var instanceType: String?
    /// Whether new workers may be spot instances (interruptible, cheaper).
    public var spot: Bool
    /// Jobs each worker runs at once; nil lets the worker choose from its devices.
    public var slotsPerWorker: Int?
    /// The cloud the pool's workers run in ("aws", "gcp", …) and its region; nil for a pool that does not say. They
    /// pick the pool's prices from the catalog and decide what moving an input to it costs.
    public var provider: String?
    public var region: String?
    public var scaling: PoolScalingTargets
    public var phase: PoolPhase
    public var createdAt: Date
    /// When a demand history was last imported for the pool (`PUT /v1/pools/{name}/history`): the pool manager then
    /// makes the pool's autoscaler anew from the stored history, so it forecasts from what was imported at once.
    public var demandImportedAt: Date?

    public init(
        name: String, kind: PoolKind, deviceSelector: DeviceSelector = DeviceSelector(), minWorkers: Int = 0,
        maxWorkers: Int, instanceType: String? = nil, spot: Bool = false, slotsPerWorker: Int? = nil,
        scaling: PoolScalingTargets = PoolScalingTargets(), phase: PoolPhase = .active, createdAt: Date,
        provider: String? = nil, region: String? = nil
    ) {
        self.provider = provider
        self.region = region
        self.name = name
        self.kind = kind
        self.deviceSelector = deviceSelector
        self.minWorkers = minWorkers
        self.maxWorkers = maxWorkers
        self.instanceType = instanceType
        self.spot = spot
        self.slotsPerWorker = slotsPerWorker
        self.scaling = scaling
        self.phase = phase
        self.createdAt = createdAt
    }

    /// Whether the scheduler may place new jobs on the pool's workers.
    public var acceptsWork: Bool { phase == .active }

    enum CodingKeys: String, CodingKey {
        case name, kind, spot, scaling, phase, provider, region
        case deviceSelector = "device_selector"
        case minWorkers = "min_workers"
        case maxWorkers = "max_workers"
        case instanceType = "instance_type"
        case slotsPerWorker = "slots_per_worker"
        case createdAt = "created_at"
        case demandImportedAt = "demand_imported_at"
    }
}

/// Where a pool is in its life. Draining and destroying pools take no new jobs and are removed once empty.
public enum PoolPhase: String, Codable, Sendable, CaseIterable {
    case active
    /// Running jobs finish; then the workers are stopped and the pool removed.
    case draining
    /// Forced removal: workers are stopped now and hand their running jobs back to the queue.
    case destroying
}

/// The autoscaler's targets for one pool; the rest of the policy (rates, windows, forecast, cost) is configuration
/// shared by all pools.
public struct PoolScalingTargets: Codable, Sendable, Equatable {
    /// Jobs, waiting plus running, one worker should carry.
    public var backlogPerWorker: Double
    /// Scale up when the oldest waiting job has waited this long, whatever the backlog.
    public var targetWaitSeconds: Double
    /// Scale-down follows the highest recommendation of this window.
    public var scaleDownStabilizationSeconds: Double
    /// Scale-down waits this long after a scale-up.
    public var cooldownSeconds: Double

    public init(
        backlogPerWorker: Double = 2, targetWaitSeconds: Double = 60, scaleDownStabilizationSeconds: Double = 300,
        cooldownSeconds: Double = 60
    ) {
        self.backlogPerWorker = backlogPerWorker
        self.targetWaitSeconds = targetWaitSeconds
        self.scaleDownStabilizationSeconds = scaleDownStabilizationSeconds
        self.cooldownSeconds = cooldownSeconds
    }

    enum CodingKeys: String, CodingKey {
        case backlogPerWorker = "backlog_per_worker"
        case targetWaitSeconds = "target_wait_seconds"
        case scaleDownStabilizationSeconds = "scale_down_stabilization_seconds"
        case cooldownSeconds = "cooldown_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PoolScalingTargets()
        backlogPerWorker = try c.decodeIfPresent(Double.self, forKey: .backlogPerWorker) ?? defaults.backlogPerWorker
        targetWaitSeconds =
            try c.decodeIfPresent(Double.self, forKey: .targetWaitSeconds) ?? defaults.targetWaitSeconds
        scaleDownStabilizationSeconds =
            try c.decodeIfPresent(Double.self, forKey: .scaleDownStabilizationSeconds)
            ?? defaults.scaleDownStabilizationSeconds
        cooldownSeconds = try c.decodeIfPresent(Double.self, forKey: .cooldownSeconds) ?? defaults.cooldownSeconds
    }
}
