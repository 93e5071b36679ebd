import Foundation

/// One change of a placement feed: a job started or kept waiting for placement, or stopped waiting. Each carries
/// the job's version after the change, so a reader keeps the newest and ignores a replay of an older one.
public enum PlacementChange: Sendable, Equatable {
    /// The job waits for a placement (submitted, requeued, withdrawn, or changed while it waits).
    case waiting(PlacementFeedJob)
    /// The job no longer waits (placed, running, finished or cancelled) as of `version`.
    case stopped(JobID, version: Int)

    public var job: JobID {
        switch self {
        case .waiting(let waiting): waiting.job.id
        case .stopped(let id, _): id
        }
    }

    public var version: Int {
        switch self {
        case .waiting(let waiting): waiting.job.version
        case .stopped(_, let version): version
        }
    }
}

/// A queued job waiting for a placement, as the placement feed carries it.
public struct PlacementFeedJob: Sendable, Equatable {
    public var job: QueuedJob
    /// The store's submission order: among jobs of one priority the lower is placed first.
    public var sequence: Int
    /// The end of the job's retry backoff, if it is in one: it waits, but is not placed before then.
    public var notBefore: Date?

    public init(job: QueuedJob, sequence: Int, notBefore: Date? = nil) {
        self.job = job
        self.sequence = sequence
        self.notBefore = notBefore
    }
}
