import Foundation

/// One page of a job listing, newest first.
public struct JobPage: Codable, Sendable, Equatable {
    public var jobs: [Job]
    /// Pass back to get the next page; nil on the last page.
    public var nextCursor: String?

    public init(jobs: [Job], nextCursor: String?) {
        self.jobs = jobs
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case jobs
        case nextCursor = "next_cursor"
    }
}

public struct JobFilter: Sendable, Equatable {
    public var tenant: TenantID?
    public var state: JobState?
    public var limit: Int
    public var cursor: String?

    public init(tenant: TenantID? = nil, state: JobState? = nil, limit: Int = 50, cursor: String? = nil) {
        self.tenant = tenant
        self.state = state
        self.limit = limit
        self.cursor = cursor
    }
}

/// What a worker learns when it heartbeats.
public enum HeartbeatReply: Sendable, Equatable {
    /// Keep going; the lease was extended.
    case proceed
    /// The job was cancelled: stop ffmpeg and discard the attempt.
    case cancelled
    /// The lease is no longer this worker's (expired and redelivered): stop and discard without committing.
    case leaseLost
}

public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case jobNotFound(JobID)
    case lifecycle(LifecycleError)
    /// The store cannot be reached or is overloaded; the caller should retry later.
    case unavailable(String)
    case corrupt(String)
    /// A list cursor this store did not issue.
    case invalidCursor(String)
    /// The submission would take the tenant past its queued-jobs quota; nothing was created.
    case quotaExceeded(QuotaViolation)

    public var description: String {
        switch self {
        case .jobNotFound(let id): "no job \(id)"
        case .lifecycle(let error): error.description
        case .unavailable(let reason): "store unavailable: \(reason)"
        case .corrupt(let reason): "store holds unreadable data: \(reason)"
        case .invalidCursor(let cursor): "cursor '\(cursor)' was not issued by this server; start without one"
        case .quotaExceeded(let violation):
            "\(violation); wait for queued jobs to start or raise the tenant's \(violation.quota) quota"
        }
    }
}

/// Durable job state: every role a store plays, composed. The embedded default is SQLite; Redis serves past one
/// machine; an in-memory store serves tests. Every implementation applies `JobLifecycle` transitions atomically
/// (read, decide, write as one unit), so two workers can never both win. Consumers take only the roles they use
/// (`JobReading`, `JobSubmissions`, `JobTransitions`, `ClaimQueue`, `LeaseRecovery`, `PlacementStore`,
/// `WorkerRegistry`, `StoreHealth`, `PoolStore`, `TenantStore`, `SessionStore`, `WebhookOutbox`), so each can be
/// given exactly what it needs, and `JobStoreConformance` checks them all on every store.
public protocol JobStore: JobReading, JobSubmissions, JobTransitions, ClaimQueue, LeaseRecovery, PlacementStore,
    JobExpiry,
    WorkerRegistry, StoreHealth, PoolStore, TenantStore, SessionStore, WebhookOutbox
{}

extension PlacementStore {
    /// What one scheduling cycle reads.
    public func schedulingView(now: Date, waitingLimit: Int, pools: Set<String>) async throws -> SchedulingView {
        SchedulingView(
            waiting: try await waitingForPlacement(now: now, limit: waitingLimit, pools: pools),
            holding: try await holdingResources())
    }
}
