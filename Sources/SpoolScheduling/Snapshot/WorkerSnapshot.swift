import Foundation
import SpoolCore

/// A worker at the start of a cycle: its pool, slots, devices and what is already assigned to it.
public struct WorkerSnapshot: Sendable, Equatable {
    public var id: WorkerID
    public var pool: String
    public var poolKind: PoolKind
    public var slots: Int
    /// Jobs running on it or placed on it and not yet claimed.
    public var assigned: Int
    public var acceptsUnpinned: Bool
    /// False while draining: nothing new is placed on it.
    public var accepting: Bool
    public var devices: [DeviceSnapshot]
    /// The consumer driver's NVENC cap is per host, across all its GPUs; nil when no consumer card is present.
    public var hostEncoderSessions: SessionCount?
    /// Inputs already in the worker's local cache.
    public var cachedInputs: Set<String>

    public init(
        id: WorkerID, pool: String, poolKind: PoolKind, slots: Int, assigned: Int = 0, acceptsUnpinned: Bool = true,
        accepting: Bool = true, devices: [DeviceSnapshot], hostEncoderSessions: SessionCount? = nil,
        cachedInputs: Set<String> = []
    ) {
        self.id = id
        self.pool = pool
        self.poolKind = poolKind
        self.slots = slots
        self.assigned = assigned
        self.acceptsUnpinned = acceptsUnpinned
        self.accepting = accepting
        self.devices = devices
        self.hostEncoderSessions = hostEncoderSessions
        self.cachedInputs = cachedInputs
    }
}
