import Foundation
import SpoolCore

/// One queued job as the scheduler sees it: what it needs and who it belongs to.
public struct PlacementRequest: Sendable, Equatable {
    public var job: JobID
    public var tenant: TenantID
    public var serviceClass: ServiceClass
    public var priority: Int
    public var pool: String?
    public var acceleration: Acceleration
    public var shape: WorkloadShape
    /// What learned estimates are keyed by: the preset, or a signature of the outputs.
    public var estimateKey: String
    /// Identifies the input for cache locality (its URI).
    public var inputKey: String
    public var enqueuedAt: Date

    public init(
        job: JobID, tenant: TenantID = .default, serviceClass: ServiceClass = .standard, priority: Int = 50,
        pool: String? = nil, acceleration: Acceleration = .auto, shape: WorkloadShape, estimateKey: String,
        inputKey: String = "", enqueuedAt: Date = Date(timeIntervalSince1970: 0)
    ) {
        self.job = job
        self.tenant = tenant
        self.serviceClass = serviceClass
        self.priority = priority
        self.pool = pool
        self.acceleration = acceleration
        self.shape = shape
        self.estimateKey = estimateKey
        self.inputKey = inputKey
        self.enqueuedAt = enqueuedAt
    }

    public init(job: Job) {
        self.init(QueuedJob(job, version: 0))
    }

    public init(_ queued: QueuedJob) {
        self.init(
            job: queued.id, tenant: queued.tenant, serviceClass: queued.serviceClass, priority: queued.priority,
            pool: queued.pool, acceleration: queued.acceleration, shape: queued.shape,
            estimateKey: queued.estimateKey,
            inputKey: queued.input, enqueuedAt: queued.createdAt)
    }
}
