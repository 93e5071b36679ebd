import Foundation
import SpoolCore

/// A pool as `GET /v1/pools` shows it.
public struct PoolView: Codable, Sendable, Equatable {
    public var name: String
    public var kind: PoolKind
    public var summary: String
    public var workers: Int
    public var slots: Int
    public var running: Int
    /// Jobs waiting that are pinned to this pool.
    public var waiting: Int?
    /// The spec, for pools created through the API; nil for pools that exist because workers registered in them.
    public var spec: PoolSpec?
    /// What the autoscaler last decided the pool should have.
    public var desiredWorkers: Int?
    public var lastEvent: String?
    public var health: PoolHealth?

    public init(
        name: String, kind: PoolKind, summary: String, workers: Int, slots: Int, running: Int, waiting: Int? = nil,
        spec: PoolSpec? = nil, desiredWorkers: Int? = nil, lastEvent: String? = nil, health: PoolHealth? = nil
    ) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.workers = workers
        self.slots = slots
        self.running = running
        self.waiting = waiting
        self.spec = spec
        self.desiredWorkers = desiredWorkers
        self.lastEvent = lastEvent
        self.health = health
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, summary, workers, slots, running, waiting, spec, health
        case desiredWorkers = "desired_workers"
        case lastEvent = "last_event"
    }
}
