import Foundation

/// Something that happens to a job.
public enum JobEvent: Sendable, Equatable {
    /// A worker takes the job for a new attempt.
    case claim(worker: WorkerID, pool: String, leaseDuration: Duration)
    /// The worker holding `lease` is alive; it may report progress.
    case heartbeat(Lease, progress: TranscodeProgress?, leaseDuration: Duration)
    /// The attempt produced validated outputs; `reusedFrom` names the earlier job whose outputs it reused because
    /// its input bytes and output spec were the same (content deduplication).
    /// `resultKey` is the content-index entry the worker records for the outputs (nil when it records none).
    /// `usage` (here and on the other endings of an attempt) is what the attempt used and cost, added to the job's.
    case succeed(
        Lease, outputs: [OutputResult], reusedFrom: JobID? = nil, resultKey: String? = nil, usage: AttemptUsage? = nil)
    /// The attempt failed.
    case fail(Lease, JobError, usage: AttemptUsage? = nil)
    /// The worker stops without failing (shutdown): the job goes back to the queue, no failure counted.
    case handBack(Lease, usage: AttemptUsage? = nil)
    /// A client cancels the job.
    case cancel
    /// The lease ran out, or its worker is known to be dead (the store decides which leases qualify).
    case leaseExpired
    /// An operator sends a failed (dead-lettered) or cancelled job back to the queue with a fresh retry budget.
    case retry
    /// The scheduler places a queued job on a worker and device, reserving what it needs there.
    case place(JobPlacement)
    /// The scheduler takes a placement back (its worker died or drains before claiming it).
    case unplace
    /// A job of a higher class needs the running job's resources: it goes back to the queue without a failure.
    case preempt(reason: String)
    /// Overload: a waiting job moves to another pool and/or gets a faster encoder setting, as its class's policy
    /// says. Its outputs stay as asked.
    case degrade(Degradation)
    /// A waiting job's pool is drained or removed: it moves to another pool (nil: any pool that can serve it).
    case move(toPool: String?)
    /// A waiting job can never run as asked (the pool it names was destroyed): it fails, saying why.
    case abandon(JobError)
    /// The worker planning a long job records how it was split into tasks (or why it is encoded whole); the
    /// attempt goes on.
    case recordSegmentation(Lease, Segmentation)
    /// A segmented job's tasks are not all finished: it leaves its worker (holding nothing while it waits) and is
    /// looked at again at `until`, or sooner when its last task finishes (`segmentsReady`).
    case awaitSegments(Lease, until: Date, usage: AttemptUsage? = nil)
    /// A segmented job's last task finished: the job may be claimed now to join its tasks' outputs.
    case segmentsReady

    /// What the attempt this event ends used and cost, when its worker measured it.
    public var attemptUsage: AttemptUsage? {
        switch self {
        case .succeed(_, _, _, _, let usage), .fail(_, _, let usage), .handBack(_, let usage),
            .awaitSegments(_, _, let usage):
            usage
        default: nil
        }
    }
}

/// How an overloaded job is made cheaper to place: another pool, a faster encoder setting, or both. It never names
/// outputs: what the client asked for is not the scheduler's to change.
public struct Degradation: Sendable, Equatable {
    /// The pool the job moves to.
    public var pool: String?
    /// The encoder effort its outputs get from now on.
    public var encoderSpeed: EncoderSpeed?
    public var reason: String

    public init(pool: String? = nil, encoderSpeed: EncoderSpeed? = nil, reason: String) {
        self.pool = pool
        self.encoderSpeed = encoderSpeed
        self.reason = reason
    }
}

/// What the system must do after a transition. The store persists the job; services perform these.
public enum JobEffect: Sendable, Equatable {
    /// Move the attempt's staged outputs into the job's output directory.
    case publishOutputs(attempt: Int)
    /// Delete the attempt's staged files.
    case discardAttempt(attempt: Int)
    /// Stop the attempt's ffmpeg process group.
    case stopAttempt(attempt: Int)
    /// The job named a callback URL and just ended: the store queues a signed delivery in the same write, so the
    /// notification can be neither lost nor queued for a write that did not happen.
    case deliverWebhook
}

public struct Transition: Sendable, Equatable {
    public var job: Job
    public var effects: [JobEffect]
}

public enum LifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The lease is not the job's current one: a late or duplicate worker. It must stop and clean up.
    case staleLease(current: Int, presented: Int)
    /// The job is in a state where the event means nothing (for example cancelling a finished job).
    case invalidTransition(from: JobState, event: String)
    /// The job is queued but waits for its retry backoff.
    case notReady(until: Date)
    /// The job is placed on another worker; only that one may claim it.
    case placedElsewhere(WorkerID)
    /// The scheduler's snapshot was stale: the job is already placed (by a cycle at least as new).
    case alreadyPlaced(on: WorkerID)
    /// The job's request said `"degradation": "forbid"`.
    case degradationForbidden
    /// The finished job's retention ended; it is being deleted and can no longer be retried.
    case expired(at: Date)

    public var description: String {
        switch self {
        case .staleLease(let current, let presented):
            "lease for attempt \(presented) is stale; the job is at attempt \(current)"
        case .invalidTransition(let from, let event):
            "cannot \(event) a job that is \(from.rawValue)"
        case .notReady(let until):
            "job waits for its retry backoff until \(until)"
        case .placedElsewhere(let worker):
            "job is placed on worker \(worker)"
        case .alreadyPlaced(let worker):
            "job is already placed on worker \(worker)"
        case .degradationForbidden:
            "the job's request forbids degradation; it waits for capacity at full quality"
        case .expired(let at):
            "the job expired at \(at) and its files are being deleted; submit it again"
        }
    }
}

/// The job lifecycle as a pure function: an event and the current job give the next job and the effects.
///
///     queued ──claim──▶ running ──succeed──▶ succeeded
///        ▲                 │ ├──fail (retryable, budget left)──▶ queued (after backoff)
///        │                 │ ├──fail (final)──────────────────▶ failed
///        └──handBack / leaseExpired (budget left)              │
///     queued|running ──cancel──▶ cancelled
///     failed|cancelled ──retry──▶ queued (fresh retry budget; the attempt number keeps counting)
public struct JobLifecycle: Sendable {
    public var retryPolicy: RetryPolicy

    public init(retryPolicy: RetryPolicy = RetryPolicy()) {
        self.retryPolicy = retryPolicy
    }

    public func apply(_ event: JobEvent, to job: Job, now: Date) throws(LifecycleError) -> Transition {
        var transition = try decide(event, job, now: now)
        // Every attempt is paid for, whatever its ending: a retried job's usage sums all of them.
        if let usage = event.attemptUsage { transition.job.usage = (job.usage ?? JobUsage()).adding(usage) }
        let next = transition.job
        // Finishing starts the retention window; leaving a finished state (a retry) ends it.
        transition.job.expiresAt =
            next.state.isTerminal
            ? job.expiresAt
                ?? next.spec.retention.expiry(finishedAt: next.finishedAt ?? now, deadLettered: next.isDeadLettered)
            : nil
        if !job.state.isTerminal, transition.job.state.isTerminal, transition.job.spec.callbackURL != nil {
            transition.effects.append(.deliverWebhook)
        }
        return transition
    }

    /// The effects still owed when `stored` shows that `event` was already recorded: the reply to an earlier try was
    /// lost (a timeout, a broken connection, a write not yet replicated) although the write ran. A worker that then
    /// retries its commit is refused as stale, but the outputs the store now names are its own and must be published,
    /// not discarded. Nil when `stored` is anything else (a later attempt, another worker, another ending).
    public static func alreadyRecorded(_ event: JobEvent, in stored: Job) -> Transition? {
        guard case .succeed(let lease, _, _, _, _) = event, stored.state == .succeeded, stored.attempt == lease.attempt,
            stored.worker == lease.worker, stored.id == lease.job
        else { return nil }
        return Transition(job: stored, effects: [.publishOutputs(attempt: lease.attempt)])
    }

    private func decide(_ event: JobEvent, _ job: Job, now: Date) throws(LifecycleError) -> Transition {
        var next = job
        next.updatedAt = now
        switch event {
        case .claim(let worker, let pool, let leaseDuration):
            guard job.state == .queued else { throw .invalidTransition(from: job.state, event: "claim") }
            guard job.notBefore <= now else { throw .notReady(until: job.notBefore) }
            if let placement = job.placement, placement.worker != worker { throw .placedElsewhere(placement.worker) }
            next.state = .running
            next.attempt += 1
            next.worker = worker
            next.pool = pool
            next.leaseExpiresAt = now.addingTimeInterval(leaseDuration.seconds)
            next.progress = TranscodeProgress(fraction: 0)
            next.startedAt = next.startedAt ?? now
            return Transition(job: next, effects: [])

        case .heartbeat(let lease, let progress, let leaseDuration):
            try checkCurrent(lease, job)
            next.leaseExpiresAt = now.addingTimeInterval(leaseDuration.seconds)
            if let progress { next.progress = progress }
            return Transition(job: next, effects: [])

        case .succeed(let lease, let outputs, let reusedFrom, let resultKey, _):
            try checkCurrent(lease, job)
            next.state = .succeeded
            next.deduplicatedFrom = reusedFrom
            next.resultKey = resultKey
            next.placement = nil
            next.outputs = outputs
            next.progress = TranscodeProgress(fraction: 1, fps: job.progress?.fps, speed: job.progress?.speed)
            next.leaseExpiresAt = nil
            next.finishedAt = now
            next.error = nil
            return Transition(job: next, effects: [.publishOutputs(attempt: lease.attempt)])

        case .fail(let lease, let error, _) where error.code == .storageFull:
            // A full disk says nothing about the job: no attempt is used up, and it waits a little for space.
            try checkCurrent(lease, job)
            requeueWithoutFailure(&next, now: now)
            next.error = error
            next.notBefore = now.addingTimeInterval(retryPolicy.delay(afterFailures: 1).seconds)
            return Transition(job: next, effects: [.discardAttempt(attempt: lease.attempt)])

        case .fail(let lease, let error, _):
            try checkCurrent(lease, job)
            next.failures += 1
            next.error = error
            next.leaseExpiresAt = nil
            next.placement = nil
            if error.isRetryable && next.failures < retryPolicy.maxAttempts {
                next.state = .queued
                next.worker = nil
                next.progress = nil
                next.notBefore = now.addingTimeInterval(retryPolicy.delay(afterFailures: next.failures).seconds)
            } else {
                next.state = .failed
                next.finishedAt = now
            }
            return Transition(job: next, effects: [.discardAttempt(attempt: lease.attempt)])

        case .handBack(let lease, _):
            try checkCurrent(lease, job)
            requeueWithoutFailure(&next, now: now)
            return Transition(job: next, effects: [.discardAttempt(attempt: lease.attempt)])

        case .cancel:
            next.placement = nil
            switch job.state {
            case .queued:
                next.state = .cancelled
                next.finishedAt = now
                return Transition(job: next, effects: [])
            case .running:
                next.state = .cancelled
                next.finishedAt = now
                next.leaseExpiresAt = nil
                return Transition(
                    job: next, effects: [.stopAttempt(attempt: job.attempt), .discardAttempt(attempt: job.attempt)])
            case .succeeded, .failed, .cancelled:
                throw .invalidTransition(from: job.state, event: "cancel")
            }

        case .retry:
            guard job.state == .failed || job.state == .cancelled else {
                throw .invalidTransition(from: job.state, event: "retry")
            }
            if let expiresAt = job.expiresAt, expiresAt <= now { throw .expired(at: expiresAt) }
            next.state = .queued
            next.placement = nil
            next.failures = 0
            next.worker = nil
            next.progress = nil
            next.leaseExpiresAt = nil
            next.notBefore = now
            next.finishedAt = nil
            next.outputs = []
            next.deduplicatedFrom = nil
            next.resultKey = nil
            return Transition(job: next, effects: [])

        case .place(let placement):
            try place(placement, job, &next)
            return Transition(job: next, effects: [])

        case .unplace:
            guard job.state == .queued, job.placement != nil else {
                throw .invalidTransition(from: job.state, event: "unplace")
            }
            next.placement = nil
            return Transition(job: next, effects: [])

        case .preempt(let reason):
            guard job.state == .running else { throw .invalidTransition(from: job.state, event: "preempt") }
            requeueWithoutFailure(&next, now: now)
            next.evictions += 1
            next.lastEvictedAt = now
            next.error = JobError(code: .preempted, message: reason)
            return Transition(
                job: next, effects: [.stopAttempt(attempt: job.attempt), .discardAttempt(attempt: job.attempt)])

        case .degrade(let degradation):
            guard job.state == .queued, job.placement == nil else {
                throw .invalidTransition(from: job.state, event: "degrade")
            }
            // The job's consent is checked here too, so no caller can degrade a job that forbade it. The outputs are
            // never touched; only how they are made: the pool, its hardware, the encoder's effort.
            guard job.spec.degradation == .allow else { throw .degradationForbidden }
            if let pool = degradation.pool {
                next.spec.pool = pool
                // A job that allowed degradation runs on whatever hardware the pool it moves to has.
                next.spec.acceleration = .auto
            }
            if let speed = degradation.encoderSpeed { next.encoderSpeed = speed }
            next.degradations.append(degradation.reason)
            return Transition(job: next, effects: [])

        case .move(let pool):
            guard job.state == .queued, job.placement == nil else {
                throw .invalidTransition(from: job.state, event: "move")
            }
            next.spec.pool = pool
            return Transition(job: next, effects: [])

        case .abandon(let error):
            guard job.state == .queued else { throw .invalidTransition(from: job.state, event: "abandon") }
            next.state = .failed
            next.error = error
            next.placement = nil
            next.finishedAt = now
            return Transition(job: next, effects: [])

        case .recordSegmentation(let lease, let segmentation):
            try checkCurrent(lease, job)
            next.segmentation = segmentation
            return Transition(job: next, effects: [])

        case .awaitSegments(let lease, let until, _):
            try checkCurrent(lease, job)
            guard job.segmentation?.isSplit == true else {
                throw .invalidTransition(from: job.state, event: "wait for the segments of")
            }
            let progress = job.progress
            requeueWithoutFailure(&next, now: now)
            next.progress = progress
            next.notBefore = max(now, until)
            return Transition(job: next, effects: [.discardAttempt(attempt: lease.attempt)])

        case .segmentsReady:
            guard job.state == .queued, job.segmentation?.isSplit == true else {
                throw .invalidTransition(from: job.state, event: "wake for its segments")
            }
            next.notBefore = min(job.notBefore, now)
            return Transition(job: next, effects: [])

        case .leaseExpired:
            guard job.state == .running else { throw .invalidTransition(from: job.state, event: "expire the lease of") }
            let lost = JobError(
                code: .leaseLost,
                message: "worker \(job.worker?.rawValue ?? "?") stopped heartbeating during attempt \(job.attempt)")
            next.failures += 1
            next.error = lost
            next.leaseExpiresAt = nil
            next.placement = nil
            next.worker = nil
            if next.failures < retryPolicy.maxAttempts {
                next.state = .queued
                next.progress = nil
                next.notBefore = now
            } else {
                next.state = .failed
                next.finishedAt = now
            }
            return Transition(
                job: next, effects: [.stopAttempt(attempt: job.attempt), .discardAttempt(attempt: job.attempt)])
        }
    }

    /// Back to the queue at once, ready for any worker, with no failure counted (hand-back, preemption).
    private func requeueWithoutFailure(_ next: inout Job, now: Date) {
        next.state = .queued
        next.placement = nil
        next.worker = nil
        next.progress = nil
        next.leaseExpiresAt = nil
        next.notBefore = now
    }

    func place(_ placement: JobPlacement, _ job: Job, _ next: inout Job) throws(LifecycleError) {
        guard job.state == .queued else { throw .invalidTransition(from: job.state, event: "place") }
        // A newer leader may re-place what an older one placed; the same or an older one may not.
        if let current = job.placement, current.schedulerToken >= placement.schedulerToken {
            throw .alreadyPlaced(on: current.worker)
        }
        next.placement = placement
    }

    private func checkCurrent(_ lease: Lease, _ job: Job) throws(LifecycleError) {
        guard job.state == .running, job.attempt == lease.attempt, job.worker == lease.worker else {
            throw .staleLease(current: job.attempt, presented: lease.attempt)
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// The duration in whole nanoseconds (for timers and HTTP client deadlines).
    public var nanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}
