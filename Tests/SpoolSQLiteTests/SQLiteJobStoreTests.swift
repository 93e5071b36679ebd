import Foundation
import JobStoreConformance
import SpoolCore
import SpoolSQLite
import TestThreads
import Testing

@Suite struct SQLiteJobStoreTests {
    typealias Conformance = JobStoreConformance

    @Test(arguments: JobStoreConformance.Check.allCases)
    func conformance(_ check: JobStoreConformance.Check) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteJobStore(path: directory.databasePath, lifecycle: Conformance.lifecycle)
        try await Conformance.run(check, on: store)
    }

    @Test func reopenedFileKeepsRunningJobs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try SQLiteJobStore(path: directory.databasePath, lifecycle: Conformance.lifecycle)
        let submitted = try await first.submit(Conformance.spec(key: "k"), now: Conformance.t0).job
        let claimed = try #require(try await Conformance.claim(first, by: "a", at: 1))
        try await first.upsertWorker(
            WorkerRecord(
                id: Conformance.worker("a"), pool: "cpu", poolKind: .cpu, host: "h", pid: 1, slots: 1,
                running: [submitted.id], devices: nil, startedAt: Conformance.t0, heartbeatAt: Conformance.at(1)))
        try first.close()

        // Migrations already applied are skipped, and everything written before is still there.
        let second = try SQLiteJobStore(path: directory.databasePath, lifecycle: Conformance.lifecycle)
        let reopened = try #require(try await second.job(submitted.id))
        #expect(reopened == claimed)
        #expect(reopened.state == .running)
        #expect(reopened.attempt == 1)
        #expect(try await second.workers().map(\.id) == [Conformance.worker("a")])
        // The idempotency index survived too.
        #expect(try await second.submit(Conformance.spec(key: "k"), now: Conformance.at(2)).created == false)
        // And the new instance can finish the attempt the old one started.
        let lease = try #require(reopened.currentLease)
        #expect(
            try await second.heartbeat(lease, progress: nil, leaseDuration: .seconds(30), now: Conformance.at(3))
                == .proceed)
        try await second.apply(.succeed(lease, outputs: []), to: submitted.id, now: Conformance.at(4))
        #expect(try await second.job(submitted.id)?.state == .succeeded)
    }

    /// Two stores on one file stand in for two Spool processes: SQLite's write lock, not the pool's writer queue,
    /// is what keeps their claims apart.
    @Test func twoStoresOnOneFileNeverShareAJob() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let stores = [
            try SQLiteJobStore(path: directory.databasePath, lifecycle: Conformance.lifecycle),
            try SQLiteJobStore(path: directory.databasePath, lifecycle: Conformance.lifecycle),
        ]
        for index in 0..<40 {
            _ = try await stores[index % 2].submit(Conformance.spec(), now: Conformance.at(Double(index)))
        }
        let claimed = try await withThrowingTaskGroup(of: [JobID].self) { group in
            for claimer in 0..<6 {
                let store = stores[claimer % 2]
                group.addTask {
                    var mine: [JobID] = []
                    while let job = try await Conformance.claim(store, by: "p\(claimer)", at: 100) {
                        mine.append(job.id)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [JobID]()) { $0 += $1 }
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed).count == 40)
    }

    /// Processes started together on a new data directory all migrate the same fresh file at once.
    ///
    /// An open waits for the others' migrations on a file lock and writes with `fsync`, blocking its thread as a
    /// process's start-up does: six at once run on threads of their own, not on the cooperative pool every other test
    /// awaits on.
    @Test(.cpuBound) func concurrentOpensOfANewFileAllSucceed() async throws {
        for _ in 0..<10 {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.databasePath
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await SQLiteJobStore(path: path).ping() }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func foreignCursorIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteJobStore(path: directory.databasePath)
        let foreign = ["not base64!", Data("v1:abc".utf8).base64EncodedString(), Data("42".utf8).base64EncodedString()]
        for cursor in foreign {
            await #expect(throws: StoreError.self) { try await store.list(JobFilter(cursor: cursor)) }
        }
    }

    @Test func closedStoreIsUnavailable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteJobStore(path: directory.databasePath)
        try await store.ping()
        try store.close()
        do {
            try await store.ping()
            Issue.record("a closed store answered")
        } catch StoreError.unavailable {
            // Expected: callers treat this as "retry later".
        }
    }

    @Test func unopenablePathIsUnavailable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: StoreError.self) {
            _ = try SQLiteJobStore(path: directory.path + "/missing/dir/spool.sqlite")
        }
    }

    @Test func garbageFileIsReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: directory.databasePath))
        #expect(throws: StoreError.self) { _ = try SQLiteJobStore(path: directory.databasePath) }
    }
}
