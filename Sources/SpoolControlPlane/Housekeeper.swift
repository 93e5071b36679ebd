import Foundation
import SpoolCore

/// The cluster's housekeeping, decided without I/O: which workers are dead, when leases are recovered, when staged
/// attempts are swept, and what becomes of each attempt directory. Like `JobLifecycle`, events go in and actions come
/// out; `HousekeepingService` reads the store, feeds the events and carries the actions out.
///
/// Leases themselves expire inside the store (`JobStore.recoverLeases`): a lease that ends before `now`, or one held
/// by a dead worker, is requeued or failed in the store's own atomic write, so the housekeeper names the dead workers
/// and the time, and the store finds the jobs.
public struct Housekeeper: Sendable, Equatable {
    /// Which registered workers count as dead.
    public enum WorkerRule: Sendable, Equatable {
        /// The registry is not judged (one process whose own workers never outlive it).
        case ignore
        /// A worker whose last heartbeat is more than this long before `now` is dead; exactly this long is alive.
        case deadAfter(Duration)
        /// Every registered worker is dead: they belonged to an earlier run of this single-node process.
        case allDead
    }

    /// When attempts are swept.
    public enum SweepRule: Sendable, Equatable {
        /// Only after some lease was recovered (an attempt may have been left behind).
        case afterRecovery
        /// After every pass (start-up, when anything may have been left behind).
        case always
    }

    public enum Event: Sendable, Equatable {
        /// The registry as read at `now`.
        case surveyed(workers: [WorkerRecord], now: Date)
        /// What the store did with the leases it found ended.
        case leasesRecovered([Transition])
    }

    public enum Action: Sendable, Equatable {
        /// Requeue (or fail) every running job whose lease ended before `now` or whose worker is in `deadWorkers`.
        case recoverLeases(now: Date, deadWorkers: Set<WorkerID>)
        /// Drop a dead worker from the registry.
        case forgetWorker(WorkerID)
        /// Sweep staged attempts that can no longer commit, and partial uploads older than `staleUploadAge` (nil:
        /// all of them).
        case sweepAttempts(staleUploadAge: TimeInterval?)
    }

    /// What becomes of one attempt directory found on disk.
    public enum AttemptAction: Sendable, Equatable {
        /// Kill the attempt's ffmpeg if it still runs (its pid file names it).
        case stopOrphan(JobID, attempt: Int)
        /// The commit landed and the rename did not: publish the staged outputs.
        case rollForward(JobID, attempt: Int)
        /// The attempt can no longer commit: remove it.
        case discard(JobID, attempt: Int)
    }

    public var workers: WorkerRule
    public var sweep: SweepRule
    public var staleUploadAge: TimeInterval?

    public init(workers: WorkerRule, sweep: SweepRule = .afterRecovery, staleUploadAge: TimeInterval? = 24 * 3600) {
        self.workers = workers
        self.sweep = sweep
        self.staleUploadAge = staleUploadAge
    }

    /// A cluster's leader: workers that stopped heartbeating for `workerTimeout` are dead.
    public static func cluster(workerTimeout: Duration) -> Housekeeper {
        Housekeeper(workers: .deadAfter(workerTimeout))
    }
    /// The embedded server while it runs: only leases that ran out.
    public static let embedded = Housekeeper(workers: .ignore)
    /// The embedded server starting: everything the previous run left is dead, and every partial upload stale.
    public static let embeddedStart = Housekeeper(workers: .allDead, sweep: .always, staleUploadAge: nil)

    /// Whether the registry must be read for a pass.
    public var readsWorkers: Bool { workers != .ignore }

    public func decide(_ event: Event) -> [Action] {
        switch event {
        case .surveyed(let workers, let now):
            let dead = workers.filter { isDead($0, now: now) }
            return [.recoverLeases(now: now, deadWorkers: Set(dead.map(\.id)))] + dead.map { .forgetWorker($0.id) }
        case .leasesRecovered(let transitions):
            guard sweep == .always || !transitions.isEmpty else { return [] }
            return [.sweepAttempts(staleUploadAge: staleUploadAge)]
        }
    }

    public func isDead(_ worker: WorkerRecord, now: Date) -> Bool {
        switch workers {
        case .ignore: false
        case .allDead: true
        case .deadAfter(let timeout): now.timeIntervalSince(worker.heartbeatAt) > timeout.seconds
        }
    }

    /// What to do with attempt `attempt` of a job found on disk. `job` is the store's record (nil when the store no
    /// longer knows it); `published` says whether the job's output directory exists. The running attempt is left
    /// alone; any other is an orphan: its process is stopped, then it is published (the commit landed, the rename
    /// did not) or discarded.
    /// Whether the objects of attempt `attempt` of a job, in a storage where outputs are kept by attempt, must stay:
    /// they are the job's outputs (it succeeded with that attempt) or the attempt is still running (it may still
    /// upload and commit). Anything else can never be read again.
    public static func keepsAttemptObjects(attempt: Int, record job: Job?) -> Bool {
        guard let job, job.attempt == attempt else { return false }
        return job.state == .succeeded || job.state == .running
    }

    public static func attemptActions(job id: JobID, attempt: Int, record job: Job?, published: Bool)
        -> [AttemptAction]
    {
        if let job, job.state == .running, job.attempt == attempt { return [] }
        if let job, job.state == .succeeded, job.attempt == attempt, !published {
            return [.stopOrphan(id, attempt: attempt), .rollForward(id, attempt: attempt)]
        }
        return [.stopOrphan(id, attempt: attempt), .discard(id, attempt: attempt)]
    }
}
