import Foundation

/// The worker's side of the queue: take a job (placed on it, or the best ready one of its pool), keep its lease.
public protocol ClaimQueue: Sendable {
    /// Atomically takes the highest-priority ready job this pool may run and starts a new attempt on it.
    func claimNext(
        worker: WorkerID, pool: String, acceptsUnpinned: Bool, leaseDuration: Duration, now: Date
    ) async throws -> Job?
    /// Takes the best job placed on this worker and starts a new attempt on it.
    func claimPlaced(worker: WorkerID, pool: String, leaseDuration: Duration, now: Date) async throws -> Job?
    /// Extends a lease and records progress; tells the worker whether to go on.
    func heartbeat(_ lease: Lease, progress: TranscodeProgress?, leaseDuration: Duration, now: Date) async throws
        -> HeartbeatReply
}
