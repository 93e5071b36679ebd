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

    public init(
        id: WorkerID, pool: String, poolKind: PoolKind, host: String, pid: Int32, slots: Int, running: [JobID] = [],
        devices: DeviceInventory?, startedAt: Date, heartbeatAt: Date
    ) {
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
    }

    enum CodingKeys: String, CodingKey {
        case id, pool, host, pid, slots, running, devices
        case poolKind = "pool_kind"
        case startedAt = "started_at"
        case heartbeatAt = "heartbeat_at"
    }
}
