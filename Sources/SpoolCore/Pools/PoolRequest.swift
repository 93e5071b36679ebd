import Foundation

/// `POST /v1/pools`: what a client asks for. `validated` turns it into a spec or names the field at fault.
public struct PoolRequest: Codable, Sendable, Equatable {
    public var name: String
    public var kind: PoolKind
    public var deviceSelector: DeviceSelector?
    public var minWorkers: Int?
    public var maxWorkers: Int
    public var instanceType: String?
    public var spot: Bool?
    public var slotsPerWorker: Int?
    public var scaling: PoolScalingTargets?
    public var provider: String?
    public var region: String?

    public init(
        name: String, kind: PoolKind, deviceSelector: DeviceSelector? = nil, minWorkers: Int? = nil, maxWorkers: Int,
        instanceType: String? = nil, spot: Bool? = nil, slotsPerWorker: Int? = nil, scaling: PoolScalingTargets? = nil,
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
    }

    /// Most workers one pool may ask for; a typo of 10000 should not start 10000 processes.
    public static let workerLimit = 1000

    public func validated(now: Date, instanceTypes: Set<String>?) throws(SpecError) -> PoolSpec {
        try PlainName.check(name, field: "name")
        let minimum = minWorkers ?? 0
        try PoolRequest.validateBounds(min: minimum, max: maxWorkers)
        if let slotsPerWorker, !(1...64).contains(slotsPerWorker) {
            throw SpecError(
                field: "slots_per_worker", rule: "range", message: "must be between 1 and 64, got \(slotsPerWorker)")
        }
        if let instanceType, let instanceTypes, !instanceTypes.contains(instanceType) {
            throw SpecError(
                field: "instance_type", rule: "catalog",
                message:
                    "'\(instanceType)' is not in the instance catalog; known: "
                    + (instanceTypes.isEmpty ? "none configured" : instanceTypes.sorted().joined(separator: ", ")))
        }
        if let provider { try PlainName.check(provider, field: "provider") }
        if let region { try PlainName.check(region, field: "region") }
        if region != nil, provider == nil {
            throw SpecError(
                field: "region", rule: "provider", message: "a region belongs to a provider; give provider too")
        }
        let selector = deviceSelector ?? DeviceSelector()
        if !selector.isEmpty, kind == .cpu || kind == .opencl {
            throw SpecError(
                field: "device_selector", rule: "kind",
                message: "selects GPUs, which a \(kind.rawValue) pool does not use; drop it or use kind cuda or hybrid")
        }
        let scaling = scaling ?? PoolScalingTargets()
        try PoolRequest.validate(scaling)
        return PoolSpec(
            name: name, kind: kind, deviceSelector: selector, minWorkers: minimum, maxWorkers: maxWorkers,
            instanceType: instanceType, spot: spot ?? false, slotsPerWorker: slotsPerWorker, scaling: scaling,
            createdAt: now, provider: provider, region: region)
    }

    public static func validateBounds(min: Int, max: Int) throws(SpecError) {
        guard min >= 0 else {
            throw SpecError(field: "min_workers", rule: "range", message: "must be 0 or more, got \(min)")
        }
        guard max >= 1, max <= workerLimit else {
            throw SpecError(field: "max_workers", rule: "range", message: "must be 1 to \(workerLimit), got \(max)")
        }
        guard min <= max else {
            throw SpecError(
                field: "min_workers", rule: "bounds", message: "min_workers \(min) is above max_workers \(max)")
        }
    }

    static func validate(_ scaling: PoolScalingTargets) throws(SpecError) {
        guard scaling.backlogPerWorker > 0 else {
            throw SpecError(field: "scaling.backlog_per_worker", rule: "range", message: "must be above 0")
        }
        for (field, value) in [
            ("target_wait_seconds", scaling.targetWaitSeconds),
            ("scale_down_stabilization_seconds", scaling.scaleDownStabilizationSeconds),
            ("cooldown_seconds", scaling.cooldownSeconds),
        ] where !(value >= 0 && value <= 86400) {
            throw SpecError(field: "scaling.\(field)", rule: "range", message: "must be 0 to 86400 seconds")
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, spot, scaling, provider, region
        case deviceSelector = "device_selector"
        case minWorkers = "min_workers"
        case maxWorkers = "max_workers"
        case instanceType = "instance_type"
        case slotsPerWorker = "slots_per_worker"
    }
}

/// `PATCH /v1/pools/{name}`: new bounds; an absent field keeps its value.
public struct PoolResize: Codable, Sendable, Equatable {
    public var minWorkers: Int?
    public var maxWorkers: Int?

    public init(minWorkers: Int? = nil, maxWorkers: Int? = nil) {
        self.minWorkers = minWorkers
        self.maxWorkers = maxWorkers
    }

    public func applied(to pool: PoolSpec) throws(SpecError) -> PoolSpec {
        var resized = pool
        resized.minWorkers = minWorkers ?? pool.minWorkers
        resized.maxWorkers = maxWorkers ?? pool.maxWorkers
        try PoolRequest.validateBounds(min: resized.minWorkers, max: resized.maxWorkers)
        return resized
    }

    enum CodingKeys: String, CodingKey {
        case minWorkers = "min_workers"
        case maxWorkers = "max_workers"
    }
}
