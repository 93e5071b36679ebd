import Foundation
import SpoolCore

/// The only places jobs change: an insert and a write, each keeping the version, the state sets and the counts in
/// step with the job, as SQLite derives its columns from the job in one `JobRow`.
extension InMemoryJobStore {
    static let zeroCounts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })

    func insert(_ job: Job) {
        let stored = StoredJob(job: job, seq: Int64(submissionOrder.count + 1), version: 0)
        jobs[job.id] = stored
        submissionOrder.append(job.id)
        index(job, adding: 1)
        recordPlacementChange(of: stored, waitedBefore: false)
    }

    /// Replaces an existing job and moves its version on.
    func write(_ job: Job) {
        guard var stored = jobs[job.id] else {
            preconditionFailure("job \(job.id) is written without being read first")
        }
        index(stored.job, adding: -1)
        let waitedBefore = Self.waits(stored.job)
        stored.job = job
        stored.version += 1
        jobs[job.id] = stored
        index(job, adding: 1)
        recordPlacementChange(of: stored, waitedBefore: waitedBefore)
    }

    /// Writes a transition's job, and queues its webhook in the same step when the transition asks for one.
    func persist(_ transition: Transition, now: Date) {
        write(transition.job)
        if transition.effects.contains(.deliverWebhook) {
            queueWebhook(.queued(for: transition.job.id, now: now))
        }
    }

    /// The lifecycle's decision, its refusal as `StoreError.lifecycle`.
    func transition(_ event: JobEvent, _ job: Job, _ now: Date) throws -> Transition {
        do {
            return try lifecycle.apply(event, to: job, now: now)
        } catch {
            throw StoreError.lifecycle(error)
        }
    }

    /// The job a write must read, or `jobNotFound`.
    func existing(_ id: JobID) throws -> Job {
        guard let job = jobs[id]?.job else { throw StoreError.jobNotFound(id) }
        return job
    }

    /// The queued jobs that pass `isIncluded`.
    func queued(where isIncluded: (Job) -> Bool) -> [StoredJob] {
        queuedJobs.compactMap { jobs[$0] }.filter { isIncluded($0.job) }
    }

    func stateCounts(tenant: TenantID) -> [JobState: Int] {
        tenantStateCounts[tenant] ?? Self.zeroCounts
    }

    /// Removes a job and everything kept beside it; its place in `submissionOrder` stays, empty, so cursors and
    /// sequence numbers handed out earlier keep their meaning.
    func remove(_ id: JobID) {
        guard let stored = jobs[id] else { return }
        index(stored.job, adding: -1)
        jobs[id] = nil
        placementExplanations[id] = nil
        outbox[id] = nil
        unsettledWebhooks.remove(id)
        if let key = stored.job.spec.idempotencyKey.map({ IdempotencyKey(tenant: stored.job.spec.tenant, key: $0) }),
            idempotencyKeys[key] == id
        {
            idempotencyKeys[key] = nil
        }
    }

    /// Counts `job` in (`delta` 1) or out (-1) of its state's set and counters.
    private func index(_ job: Job, adding delta: Int) {
        let tenant = job.spec.tenant
        stateCounts[job.state, default: 0] += delta
        tenantStateCounts[tenant, default: Self.zeroCounts][job.state, default: 0] += delta
        switch (job.state, delta > 0) {
        case (.queued, true): queuedJobs.insert(job.id)
        case (.queued, false): queuedJobs.remove(job.id)
        case (.running, true): runningJobs.insert(job.id)
        case (.running, false): runningJobs.remove(job.id)
        case (.succeeded, true), (.failed, true), (.cancelled, true): finishedJobs.insert(job.id)
        case (.succeeded, false), (.failed, false), (.cancelled, false): finishedJobs.remove(job.id)
        }
    }
}

/// A job with what the store keeps beside it.
struct StoredJob: Sendable {
    var job: Job
    /// Submission order, from 1: orders listings and cursors, and breaks ties between jobs created at once.
    let seq: Int64
    /// Writes since the insert: a placement commits only on the version the scheduling cycle read.
    var version: Int

    /// Claim and placement order: highest priority first, then oldest, then first submitted.
    static func claimsBefore(_ first: StoredJob, _ second: StoredJob) -> Bool {
        let (a, b) = (first.job, second.job)
        if a.spec.priority != b.spec.priority { return a.spec.priority > b.spec.priority }
        if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
        return first.seq < second.seq
    }
}

/// Idempotency keys are per tenant: two tenants may use the same key for different jobs.
struct IdempotencyKey: Hashable, Sendable {
    var tenant: TenantID
    var key: String
}
