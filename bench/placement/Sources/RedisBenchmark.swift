import Foundation
import RESPClient
import SpoolCore
import SpoolRedis
import SpoolScheduling

/// Placements committed through Redis: each cycle reads the best `batch` waiting jobs from the store, runs the
/// scheduling cycle, and commits the placements with the store's batched compare-and-set. Timed: the read, the
/// cycle and the commit. Not timed: the setup (submitting the jobs, registering the workers) and, after each
/// cycle, cancelling the placed jobs to stand in for the workers that would run and finish them.
enum RedisBenchmark {
    static func run(workers count: Int, jobs: Int, batch: Int, redisURL: String) async throws {
        var configuration = try RedisURL.configuration(redisURL)
        // A benchmark, not an API: long timeouts, and enough connections for the batched writes.
        configuration.connection.commandTimeout = .seconds(30)
        configuration.pool.maxConnections = 16
        let client = RedisClient(configuration: configuration)
        let store = RedisJobStore(client: client, namespace: "bench-\(UUID().uuidString.prefix(8))", shards: 4)
        let now = Date()
        let records = BenchFleet.workers(count, now: now)
        try await concurrently(records, width: 64) { try await store.upsertWorker($0) }
        try await concurrently(Array(0..<jobs), width: 64) { n in _ = try await store.submit(BenchFleet.spec(n), now: now) }

        var fleet = FleetSnapshotBuilder().snapshot(workers: records, holding: [], now: now)
        var cycle = try SchedulingCycle()
        let pools = Set(records.map(\.pool))
        var latencies = Latencies()
        var busy = Duration.zero
        var committed = 0
        var stale = 0
        var waitingLeft = true
        var phases = (read: Duration.zero, cycle: Duration.zero, commit: Duration.zero)
        while waitingLeft {
            let began = ContinuousClock.now
            let view = try await store.schedulingView(now: Date(), waitingLimit: batch, pools: pools)
            let read = ContinuousClock.now
            waitingLeft = !view.waiting.isEmpty
            var commits: [PlacementCommit] = []
            for read in view.waiting {
                let decided = cycle.place(PlacementRequest(read), in: &fleet, now: now)
                if let placement = decided.decision.placement { commits.append(PlacementCommit(read, placement: placement)) }
            }
            let placedAt = ContinuousClock.now
            let outcomes = try await store.commitPlacements(commits, now: Date())
            let took = ContinuousClock.now - began
            phases.read += read - began
            phases.cycle += placedAt - read
            phases.commit += ContinuousClock.now - placedAt
            if view.waiting.isEmpty { break }
            busy += took
            latencies.record(took)
            committed += outcomes.filter { $0 == .committed }.count
            stale += outcomes.filter { $0 == .stale }.count
            // The workers' part, untimed: the jobs run and finish, their resources come back.
            try await concurrently(commits, width: 64) { _ = try await store.apply(.cancel, to: $0.job, now: Date()) }
            for commit in commits { fleet.release(commit.job, placement: commit.placement) }
            if commits.isEmpty { break }
        }
        await client.close()
        emit([
            "system": "spool", "mode": "redis", "workers": count, "devices": fleet.deviceCount, "placements": committed,
            "stale": stale, "jobs": jobs, "cycle_jobs": batch, "seconds": busy.secondsDouble,
            "per_second": Double(committed) / busy.secondsDouble, "p50_us": latencies.percentile(0.5),
            "p99_us": latencies.percentile(0.99), "read_seconds": phases.read.secondsDouble,
            "cycle_seconds": phases.cycle.secondsDouble, "commit_seconds": phases.commit.secondsDouble,
        ])
    }

    static func concurrently<T: Sendable>(
        _ items: [T], width: Int, _ body: @escaping @Sendable (T) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var iterator = items.makeIterator()
            for _ in 0..<width {
                guard let item = iterator.next() else { break }
                group.addTask { try await body(item) }
            }
            while try await group.next() != nil {
                if let item = iterator.next() { group.addTask { try await body(item) } }
            }
        }
    }
}
