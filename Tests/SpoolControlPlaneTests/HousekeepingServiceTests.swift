import Foundation
import JobStoreConformance
import Logging
import SpoolControlPlane
import SpoolCore
import SpoolInMemoryStore
import Synchronization
import Testing

/// Counts sweeps instead of touching a disk.
final class CountingSweeper: AttemptSweeping {
    let sweeps = Count()
    private let ages = Mutex<[TimeInterval?]>([])

    var staleUploadAges: [TimeInterval?] { ages.withLock { $0 } }

    func sweep(staleUploadAge: TimeInterval?) async throws -> SweepReport {
        sweeps.increment()
        ages.withLock { $0.append(staleUploadAge) }
        return SweepReport()
    }
}

/// A time the test moves by hand.
final class TestTime: Sendable {
    private let value: Mutex<Date>

    init(_ date: Date) { value = Mutex(date) }

    var now: Date { value.withLock { $0 } }

    func set(_ date: Date) { value.withLock { $0 = date } }
}

@Suite struct HousekeepingServiceTests {
    let logger = Logger(label: "housekeeping-test")

    func service(
        _ store: any JobStore, _ housekeeper: Housekeeper, sweeper: CountingSweeper,
        leadership: Leadership = .alone()
    ) -> HousekeepingService<ManualClock> {
        HousekeepingService(
            store: store, housekeeper: housekeeper, sweeper: sweeper, leadership: leadership, interval: .seconds(2),
            clock: ManualClock(), logger: logger)
    }

    @Test func aLeaseEndingExactlyNowIsStillHeld() async throws {
        let store = InMemoryJobStore()
        let sweeper = CountingSweeper()
        let housekeeping = service(store, .embedded, sweeper: sweeper)
        let job = try await store.submit(JobStoreConformance.spec(), now: JobStoreConformance.t0).job
        let claimed = try #require(try await JobStoreConformance.claim(store, at: 1))
        let ends = try #require(claimed.leaseExpiresAt)

        let atEnd = try await housekeeping.pass(now: ends)
        #expect(atEnd.recovered.isEmpty)
        #expect(atEnd.sweep == nil)
        #expect(try await store.job(job.id)?.state == .running)

        let after = try await housekeeping.pass(now: ends.addingTimeInterval(0.001))
        #expect(after.recovered.map(\.job.id) == [job.id])
        #expect(try await store.job(job.id)?.state == .queued)
        // Something was recovered, so attempts are swept (once).
        #expect(sweeper.sweeps.current == 1)
        #expect(sweeper.staleUploadAges == [24 * 3600])
    }

    @Test func aDeadWorkersJobIsRequeuedAndTheWorkerForgotten() async throws {
        let store = InMemoryJobStore()
        let sweeper = CountingSweeper()
        let housekeeping = service(store, .cluster(workerTimeout: .seconds(15)), sweeper: sweeper)
        let t0 = JobStoreConformance.t0
        let job = try await store.submit(JobStoreConformance.spec(), now: t0).job
        _ = try #require(try await JobStoreConformance.claim(store, by: "a", at: 1))
        for (name, heartbeat) in [("a", 1.0), ("b", 10.0)] {
            try await store.upsertWorker(
                WorkerRecord(
                    id: JobStoreConformance.worker(name), pool: "cpu", poolKind: .cpu, host: "h", pid: 1, slots: 1,
                    devices: nil, startedAt: t0, heartbeatAt: t0.addingTimeInterval(heartbeat)))
        }
        // At 20 s worker a (last heard of at 1 s) is dead, b (at 10 s) alive; a's lease still runs to 31 s.
        let report = try await housekeeping.pass(now: t0.addingTimeInterval(20))
        #expect(report.forgotten == [JobStoreConformance.worker("a")])
        #expect(report.recovered.map(\.job.id) == [job.id])
        #expect(try await store.workers().map(\.id) == [JobStoreConformance.worker("b")])
        #expect(try await store.job(job.id)?.state == .queued)
        #expect(sweeper.sweeps.current == 1)

        // A pass with nothing to do sweeps nothing.
        let quiet = try await housekeeping.pass(now: t0.addingTimeInterval(21))
        #expect(quiet == HousekeepingReport())
        #expect(sweeper.sweeps.current == 1)
    }

    @Test func theEmbeddedStartRecoversEverythingOfThePreviousRun() async throws {
        let store = InMemoryJobStore()
        let sweeper = CountingSweeper()
        let housekeeping = service(store, .embeddedStart, sweeper: sweeper)
        let t0 = JobStoreConformance.t0
        try await store.upsertWorker(
            WorkerRecord(
                id: JobStoreConformance.worker("old"), pool: "cpu", poolKind: .cpu, host: "h", pid: 1, slots: 1,
                devices: nil, startedAt: t0, heartbeatAt: t0))
        let report = try await housekeeping.pass(now: t0)
        #expect(report.forgotten == [JobStoreConformance.worker("old")])
        #expect(try await store.workers().isEmpty)
        // Swept although no lease was recovered, every partial upload with it.
        #expect(report.sweep == SweepReport())
        #expect(sweeper.staleUploadAges == [nil])
    }
}
