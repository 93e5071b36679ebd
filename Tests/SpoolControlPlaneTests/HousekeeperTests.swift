import Foundation
import JobStoreConformance
import SpoolControlPlane
import SpoolCore
import Testing

@Suite struct HousekeeperTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    func worker(_ name: String, heartbeat secondsAgo: Double) -> WorkerRecord {
        WorkerRecord(
            id: WorkerID(rawValue: "wrk_cpu_" + name), pool: "cpu", poolKind: .cpu, host: "h", pid: 1, slots: 1,
            devices: nil, startedAt: now.addingTimeInterval(-3600), heartbeatAt: now.addingTimeInterval(-secondsAgo))
    }

    @Test func aWorkerIsDeadOnlyPastTheTimeout() {
        let housekeeper = Housekeeper.cluster(workerTimeout: .seconds(15))
        let atTimeout = worker("edge", heartbeat: 15)
        let past = worker("late", heartbeat: 15.001)
        let fresh = worker("fresh", heartbeat: 1)
        #expect(!housekeeper.isDead(atTimeout, now: now))
        #expect(housekeeper.isDead(past, now: now))
        #expect(!housekeeper.isDead(fresh, now: now))

        let actions = housekeeper.decide(.surveyed(workers: [atTimeout, past, fresh], now: now))
        #expect(actions == [.recoverLeases(now: now, deadWorkers: [past.id]), .forgetWorker(past.id)])
    }

    @Test func leasesAreRecoveredEveryPassEvenWithoutDeadWorkers() {
        let actions = Housekeeper.cluster(workerTimeout: .seconds(15))
            .decide(.surveyed(workers: [worker("fresh", heartbeat: 0)], now: now))
        #expect(actions == [.recoverLeases(now: now, deadWorkers: [])])
    }

    @Test func theEmbeddedServerDoesNotJudgeItsWorkers() {
        let old = worker("old", heartbeat: 1_000_000)
        #expect(!Housekeeper.embedded.readsWorkers)
        #expect(
            Housekeeper.embedded.decide(.surveyed(workers: [old], now: now)) == [
                .recoverLeases(now: now, deadWorkers: [])
            ])
    }

    @Test func atStartEveryWorkerOfThePreviousRunIsDead() {
        let fresh = worker("fresh", heartbeat: 0)
        #expect(
            Housekeeper.embeddedStart.decide(.surveyed(workers: [fresh], now: now)) == [
                .recoverLeases(now: now, deadWorkers: [fresh.id]), .forgetWorker(fresh.id),
            ])
        // And it sweeps whatever the recovery found, every partial upload with it.
        #expect(Housekeeper.embeddedStart.decide(.leasesRecovered([])) == [.sweepAttempts(staleUploadAge: nil)])
    }

    @Test func attemptsAreSweptOnlyAfterALeaseWasRecovered() throws {
        let housekeeper = Housekeeper.cluster(workerTimeout: .seconds(15))
        #expect(housekeeper.decide(.leasesRecovered([])) == [])
        let job = Job(id: JobID(rawValue: "job_1"), spec: JobStoreConformance.spec(), now: now)
        let cancelled = try JobLifecycle().apply(.cancel, to: job, now: now)
        #expect(
            housekeeper.decide(.leasesRecovered([cancelled])) == [
                .sweepAttempts(staleUploadAge: 24 * 3600)
            ])
    }

    @Test func theRunningAttemptIsLeftAlone() {
        var job = Job(id: JobID(rawValue: "job_1"), spec: JobStoreConformance.spec(), now: now)
        job.state = .running
        job.attempt = 2
        #expect(Housekeeper.attemptActions(job: job.id, attempt: 2, record: job, published: false) == [])
        // An earlier attempt of the same running job is an orphan.
        #expect(
            Housekeeper.attemptActions(job: job.id, attempt: 1, record: job, published: false) == [
                .stopOrphan(job.id, attempt: 1), .discard(job.id, attempt: 1),
            ])
    }

    @Test func orphanedAttemptsAreStoppedThenPublishedOrDiscarded() {
        let id = JobID(rawValue: "job_1")
        var job = Job(id: id, spec: JobStoreConformance.spec(), now: now)
        job.state = .succeeded
        job.attempt = 3
        // The commit landed, the rename did not: roll forward.
        #expect(
            Housekeeper.attemptActions(job: id, attempt: 3, record: job, published: false) == [
                .stopOrphan(id, attempt: 3), .rollForward(id, attempt: 3),
            ])
        // Already published, or not the winning attempt: discard.
        #expect(
            Housekeeper.attemptActions(job: id, attempt: 3, record: job, published: true) == [
                .stopOrphan(id, attempt: 3), .discard(id, attempt: 3),
            ])
        #expect(
            Housekeeper.attemptActions(job: id, attempt: 2, record: job, published: false) == [
                .stopOrphan(id, attempt: 2), .discard(id, attempt: 2),
            ])
        // A job the store no longer knows.
        #expect(
            Housekeeper.attemptActions(job: id, attempt: 1, record: nil, published: false) == [
                .stopOrphan(id, attempt: 1), .discard(id, attempt: 1),
            ])
        // A queued job (its lease was recovered) keeps no attempt on disk.
        job.state = .queued
        #expect(
            Housekeeper.attemptActions(job: id, attempt: 3, record: job, published: false) == [
                .stopOrphan(id, attempt: 3), .discard(id, attempt: 3),
            ])
    }
}
