import Foundation

/// A registered worker, as the store and `GET /v1/workers` show it.
public struct WorkerRecord: Codable, Sendable, Equatable, Identifiable {
    public var id: WorkerID
    public var pool: String
    public var poolKind: PoolKind
    public var host: String
    public var pid: Int32
    /// Jobs it runs at once.
    public var slots: Int
    public var running: [JobID]
    public var devices: DeviceInventory?
    public var startedAt: Date
    public var heartbeatAt: Date
    /// Whether it takes jobs not pinned to a pool.
    public var acceptsUnpinned: Bool
    /// Stopping: it finishes what it runs and takes nothing new.
    public var draining: Bool
    /// GPUs fenced by health checks (index → why); nothing is placed on them until a self-test passes.
    public var fencedGPUs: [Int: String]
    /// The latest GPU memory peaks of its jobs, newest last.
    public var gpuMemoryObservations: [GPUMemoryObservation]
    /// The encode this worker ran when it started; nil until it has run.
    public var selfTest: WorkerSelfTest?
    /// Input URIs its local cache holds (prefetched or kept from earlier jobs), for the input-locality score.
    public var cachedInputs: [String]
    /// The folders its `file://` inputs may come from (`--input-root`); nil from a worker too old to say. A gateway
    /// compares them with its own, so a mismatch shows at start-up instead of failing every file:// job.
    public var inputRoots: [String]?
    /// What the worker's capacity costs (instance and capacity type, hourly price), as its attempts price
    /// themselves; nil when the worker was told nothing about it.
    public var capacity: CapacityPrice?
    /// Spot or on-demand, as started by an actuator (`--capacity-type`); nil for a worker that was not told.
    public var capacityType: CapacityType?

    public init(
        id: WorkerID, pool: String, poolKind: PoolKind, host: String, pid: Int32, slots: Int, running: [JobID] = [],
        devices: DeviceInventory?, startedAt: Date, heartbeatAt: Date, acceptsUnpinned: Bool = true,
        draining: Bool = false, fencedGPUs: [Int: String] = [:], gpuMemoryObservations: [GPUMemoryObservation] = [],
        selfTest: WorkerSelfTest? = nil, cachedInputs: [String] = [], inputRoots: [String]? = nil,
        capacity: CapacityPrice? = nil, capacityType: CapacityType? = nil
    ) {
        self.capacity = capacity
        self.capacityType = capacityType
        self.cachedInputs = cachedInputs
        self.inputRoots = inputRoots
        self.id = id
        self.pool = pool
        self.poolKind = poolKind
        self.host = host
        self.pid = pid
        self.slots = slots
        self.running = running
        self.devices = devices
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.acceptsUnpinned = acceptsUnpinned
        self.draining = draining
        self.fencedGPUs = fencedGPUs
        self.gpuMemoryObservations = gpuMemoryObservations
        self.selfTest = selfTest
    }

    enum CodingKeys: String, CodingKey {
        case id, pool, host, pid, slots, running, devices
        case poolKind = "pool_kind"
        case startedAt = "started_at"
        case heartbeatAt = "heartbeat_at"
        case acceptsUnpinned = "accepts_unpinned"
        case draining
        case fencedGPUs = "fenced_gpus"
        case gpuMemoryObservations = "gpu_memory_observations"
        case selfTest = "self_test"
        case cachedInputs = "cached_inputs"
        case inputRoots = "input_roots"
        case capacity
        case capacityType = "capacity_type"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(WorkerID.self, forKey: .id)
        pool = try c.decode(String.self, forKey: .pool)
        poolKind = try c.decode(PoolKind.self, forKey: .poolKind)
        host = try c.decode(String.self, forKey: .host)
        pid = try c.decode(Int32.self, forKey: .pid)
        slots = try c.decode(Int.self, forKey: .slots)
        running = try c.decodeIfPresent([JobID].self, forKey: .running) ?? []
        devices = try c.decodeIfPresent(DeviceInventory.self, forKey: .devices)
        startedAt = try c.decode(Date.self, forKey: .startedAt)
        heartbeatAt = try c.decode(Date.self, forKey: .heartbeatAt)
        // Records written before these fields existed.
        acceptsUnpinned = try c.decodeIfPresent(Bool.self, forKey: .acceptsUnpinned) ?? true
        draining = try c.decodeIfPresent(Bool.self, forKey: .draining) ?? false
        fencedGPUs = try c.decodeIfPresent([Int: String].self, forKey: .fencedGPUs) ?? [:]
        gpuMemoryObservations =
            try c.decodeIfPresent([GPUMemoryObservation].self, forKey: .gpuMemoryObservations) ?? []
        selfTest = try c.decodeIfPresent(WorkerSelfTest.self, forKey: .selfTest)
        cachedInputs = try c.decodeIfPresent([String].self, forKey: .cachedInputs) ?? []
        inputRoots = try c.decodeIfPresent([String].self, forKey: .inputRoots)
        capacity = try c.decodeIfPresent(CapacityPrice.self, forKey: .capacity)
        capacityType = try c.decodeIfPresent(CapacityType.self, forKey: .capacityType)
    }

    /// The roots of `required` this worker cannot read from (a root counts as readable when it lies inside one of
    /// the worker's); empty when it can read them all or did not say.
    public func missingInputRoots(of required: [String]) -> [String] {
        guard let inputRoots else { return [] }
        return required.filter { root in
            !inputRoots.contains { $0 == root || root.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
        }
    }

    /// Whether the worker is alive, takes new jobs, and may run a job of `pool` (nil: unpinned).
    public func mayRun(pool jobPool: String?, now: Date, timeout: TimeInterval) -> Bool {
        guard !draining, now.timeIntervalSince(heartbeatAt) <= timeout else { return false }
        return jobPool.map { $0 == pool } ?? acceptsUnpinned
    }
}
