import Foundation
import Testing

@testable import SpoolCore

@Suite struct JobLifecycleTests {
    let lifecycle = JobLifecycle(
        retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .seconds(2), maxDelay: .seconds(60)))
    let t0 = Date(timeIntervalSince1970: 1_000_000)
    let worker = WorkerID(rawValue: "wrk_cpu_a")

    func queuedJob() -> Job {
        Job(
            id: JobID(rawValue: "job_1"),
            spec: JobSpec(input: .file(path: "/in/a.mp4"), outputs: Presets.named("web-360p")!.outputs), now: t0)
    }

    func claimed(_ job: Job, at now: Date) throws -> Job {
        try lifecycle.apply(.claim(worker: worker, pool: "cpu", leaseDuration: .seconds(30)), to: job, now: now).job
    }

    @Test func degradingChangesHowNeverWhat() throws {
        let job = queuedJob()
        let degraded = try lifecycle.apply(
            .degrade(Degradation(pool: "cpu", encoderSpeed: .faster, reason: "overloaded")), to: job, now: t0
        ).job
        #expect(degraded.spec.outputs == job.spec.outputs && degraded.spec.preset == job.spec.preset)
        #expect(degraded.spec.pool == "cpu" && degraded.encoderSpeed == .faster)
        #expect(degraded.degradations == ["overloaded"])
    }

    @Test func aJobThatForbidsDegradationCannotBeDegraded() throws {
        var job = queuedJob()
        job.spec.degradation = .forbid
        #expect(throws: LifecycleError.degradationForbidden) {
            try lifecycle.apply(.degrade(Degradation(encoderSpeed: .faster, reason: "overloaded")), to: job, now: t0)
        }
    }

    @Test func degradationConsentDefaultsByClass() {
        let spec = { (serviceClass: ServiceClass) in
            JobSpec(serviceClass: serviceClass, input: .file(path: "/a.mp4"), outputs: [])
        }
        #expect(spec(.realtime).degradation == .allow && spec(.standard).degradation == .allow)
        #expect(spec(.batch).degradation == .forbid)
        #expect(
            JobSpec(serviceClass: .batch, input: .file(path: "/a.mp4"), outputs: [], degradation: .allow).degradation
                == .allow)
    }

    /// A commit whose reply was lost ran all the same: the retry is refused as stale, and only this recognises that
    /// the outputs the store names are the attempt's own, to publish rather than discard.
    @Test func aCommitThatWasRecordedIsRecognisedOnlyForTheSameAttemptAndWorker() throws {
        let running = try claimed(queuedJob(), at: t0)
        let lease = try #require(running.currentLease)
        let commit = JobEvent.succeed(lease, outputs: [], reusedFrom: nil, resultKey: nil)
        let stored = try lifecycle.apply(commit, to: running, now: t0.addingTimeInterval(5)).job
        #expect(throws: LifecycleError.self) { try lifecycle.apply(commit, to: stored, now: t0.addingTimeInterval(6)) }
        #expect(
            JobLifecycle.alreadyRecorded(commit, in: stored)
                == Transition(job: stored, effects: [.publishOutputs(attempt: 1)]))

        let otherWorker = Lease(job: lease.job, worker: WorkerID(rawValue: "wrk_cpu_b"), attempt: 1)
        #expect(
            JobLifecycle.alreadyRecorded(
                .succeed(otherWorker, outputs: [], reusedFrom: nil, resultKey: nil), in: stored) == nil)
        let earlierAttempt = Lease(job: lease.job, worker: worker, attempt: 0)
        #expect(
            JobLifecycle.alreadyRecorded(
                .succeed(earlierAttempt, outputs: [], reusedFrom: nil, resultKey: nil), in: stored) == nil)
        #expect(JobLifecycle.alreadyRecorded(commit, in: running) == nil)
        let failed = try lifecycle.apply(
            .fail(lease, JobError(code: .invalidInput, message: "bad")), to: running, now: t0.addingTimeInterval(5)
        ).job
        #expect(JobLifecycle.alreadyRecorded(commit, in: failed) == nil)
        #expect(JobLifecycle.alreadyRecorded(.fail(lease, JobError(code: .stalled, message: "x")), in: stored) == nil)
    }

    @Test func claimStartsAnAttemptWithALease() throws {
        let job = try claimed(queuedJob(), at: t0)
        #expect(job.state == .running)
        #expect(job.attempt == 1)
        #expect(job.worker == worker)
        #expect(job.pool == "cpu")
        #expect(job.leaseExpiresAt == t0.addingTimeInterval(30))
        #expect(job.currentLease == Lease(job: job.id, worker: worker, attempt: 1))
    }

    @Test func claimingARunningJobIsRefused() throws {
        let job = try claimed(queuedJob(), at: t0)
        #expect(throws: LifecycleError.invalidTransition(from: .running, event: "claim")) {
            try lifecycle.apply(.claim(worker: worker, pool: "cpu", leaseDuration: .seconds(30)), to: job, now: t0)
        }
    }

    @Test func successPublishesTheAttemptsOutputs() throws {
        let job = try claimed(queuedJob(), at: t0)
        let output = OutputResult(
            name: "360p", kind: .mp4, path: "360p.mp4", files: ["360p.mp4"], codec: "h264", width: 640, height: 360,
            durationSeconds: 3, sizeBytes: 1000, ssim: 0.98)
        let transition = try lifecycle.apply(.succeed(job.currentLease!, outputs: [output]), to: job, now: t0)
        #expect(transition.job.state == .succeeded)
        #expect(transition.job.outputs == [output])
        #expect(transition.job.progress?.fraction == 1)
        #expect(transition.effects == [.publishOutputs(attempt: 1)])
    }

    @Test func aStaleLeaseCannotCommit() throws {
        var job = try claimed(queuedJob(), at: t0)
        let firstLease = job.currentLease!
        job = try lifecycle.apply(.leaseExpired, to: job, now: t0.addingTimeInterval(31)).job
        #expect(job.state == .queued)
        job = try claimed(job, at: t0.addingTimeInterval(32))
        #expect(job.attempt == 2)
        #expect(throws: LifecycleError.staleLease(current: 2, presented: 1)) {
            try lifecycle.apply(.succeed(firstLease, outputs: []), to: job, now: t0.addingTimeInterval(33))
        }
    }

    @Test func retryableFailuresBackOffExponentiallyThenFail() throws {
        var job = queuedJob()
        var now = t0
        for expectedDelay in [2.0, 4.0] {
            job = try claimed(job, at: now)
            let error = JobError(code: .transcodeFailed, message: "ffmpeg exited 1")
            let transition = try lifecycle.apply(.fail(job.currentLease!, error), to: job, now: now)
            job = transition.job
            #expect(job.state == .queued)
            #expect(job.notBefore == now.addingTimeInterval(expectedDelay))
            #expect(throws: LifecycleError.notReady(until: job.notBefore)) {
                try lifecycle.apply(.claim(worker: worker, pool: "cpu", leaseDuration: .seconds(30)), to: job, now: now)
            }
            now = job.notBefore
        }
        job = try claimed(job, at: now)
        job = try lifecycle.apply(
            .fail(job.currentLease!, JobError(code: .transcodeFailed, message: "x")), to: job, now: now
        ).job
        #expect(job.state == .failed)
        #expect(job.failures == 3)
        #expect(job.finishedAt == now)
    }

    @Test func invalidInputIsNotRetried() throws {
        var job = try claimed(queuedJob(), at: t0)
        job = try lifecycle.apply(
            .fail(job.currentLease!, JobError(code: .invalidInput, message: "not a video")), to: job, now: t0
        ).job
        #expect(job.state == .failed)
        #expect(job.error?.code == .invalidInput)
    }

    @Test func handBackRequeuesWithoutCountingAFailure() throws {
        var job = try claimed(queuedJob(), at: t0)
        let transition = try lifecycle.apply(.handBack(job.currentLease!), to: job, now: t0)
        job = transition.job
        #expect(job.state == .queued)
        #expect(job.failures == 0)
        #expect(transition.effects == [.discardAttempt(attempt: 1)])
    }

    /// A full disk is not the job's fault: however often it strikes, no attempt is used up; the job waits the first
    /// backoff for space, says why meanwhile, and still has all its attempts when the disk has room again.
    @Test func aFullDiskRequeuesWithoutUsingUpAnAttempt() throws {
        var job = queuedJob()
        var now = t0
        for _ in 0..<5 {
            job = try claimed(job, at: now)
            let full = JobError(code: .storageFull, message: "No space left on device")
            let transition = try lifecycle.apply(.fail(job.currentLease!, full), to: job, now: now)
            job = transition.job
            #expect(job.state == .queued && job.failures == 0 && job.error?.code == .storageFull)
            #expect(job.notBefore == now.addingTimeInterval(2))
            #expect(transition.effects == [.discardAttempt(attempt: job.attempt)])
            now = job.notBefore
        }
        job = try claimed(job, at: now)
        #expect(job.attempt == 6)
        job = try lifecycle.apply(
            .fail(job.currentLease!, JobError(code: .transcodeFailed, message: "x")), to: job, now: now
        ).job
        #expect(job.state == .queued && job.failures == 1)
    }

    @Test func onlyAWaitingJobCanBeAbandoned() throws {
        let gone = JobError(code: .unsupported, message: "pool burst was destroyed")
        let abandoned = try lifecycle.apply(.abandon(gone), to: queuedJob(), now: t0).job
        #expect(abandoned.state == .failed && abandoned.error == gone && abandoned.finishedAt == t0)
        let running = try claimed(queuedJob(), at: t0)
        #expect(throws: LifecycleError.invalidTransition(from: .running, event: "abandon")) {
            try lifecycle.apply(.abandon(gone), to: running, now: t0)
        }
    }

    @Test func cancellingARunningJobStopsAndDiscardsTheAttempt() throws {
        let job = try claimed(queuedJob(), at: t0)
        let transition = try lifecycle.apply(.cancel, to: job, now: t0)
        #expect(transition.job.state == .cancelled)
        #expect(transition.effects == [.stopAttempt(attempt: 1), .discardAttempt(attempt: 1)])
        #expect(throws: LifecycleError.invalidTransition(from: .cancelled, event: "cancel")) {
            try lifecycle.apply(.cancel, to: transition.job, now: t0)
        }
    }

    @Test func expiredLeasesEventuallyFailTheJob() throws {
        var job = queuedJob()
        for attempt in 1...3 {
            job = try claimed(job, at: t0)
            job = try lifecycle.apply(.leaseExpired, to: job, now: t0).job
            #expect(job.attempt == attempt)
        }
        #expect(job.state == .failed)
        #expect(job.error?.code == .leaseLost)
    }

    @Test func retryRequeuesADeadLetterWithAFreshBudget() throws {
        var job = queuedJob()
        var now = t0
        for _ in 1...3 {
            job = try claimed(job, at: now)
            job = try lifecycle.apply(
                .fail(job.currentLease!, JobError(code: .transcodeFailed, message: "crash")), to: job, now: now
            ).job
            now = max(now, job.notBefore)
        }
        #expect(job.isDeadLettered)
        job = try lifecycle.apply(.retry, to: job, now: now).job
        #expect(job.state == .queued)
        #expect(job.failures == 0)
        #expect(job.attempt == 3, "the fencing token keeps counting")
        #expect(!job.isDeadLettered)
        #expect(throws: LifecycleError.invalidTransition(from: .queued, event: "retry")) {
            try lifecycle.apply(.retry, to: job, now: now)
        }
    }

    @Test func invalidInputIsFailedButNotDeadLettered() throws {
        var job = try claimed(queuedJob(), at: t0)
        job = try lifecycle.apply(
            .fail(job.currentLease!, JobError(code: .invalidInput, message: "x")), to: job, now: t0
        ).job
        #expect(job.state == .failed)
        #expect(!job.isDeadLettered)
    }

    @Test func retryDelayIsCapped() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .seconds(2), maxDelay: .seconds(60))
        #expect(policy.delay(afterFailures: 1) == .seconds(2))
        #expect(policy.delay(afterFailures: 3) == .seconds(8))
        #expect(policy.delay(afterFailures: 9) == .seconds(60))
    }
}
