import Foundation
import RESPClient
import SpoolCore
import SpoolRedis
import SpoolScheduling

/// Placements committed through Redis. Each cycle brings the placement service's informer (`WaitingJobsInformer`)
/// up to date from the store's placement feed, takes the best `batch` waiting jobs from it, runs the scheduling
/// cycle, and commits the placements with the store's batched compare-and-set. The informer starts as a leader's
/// does, with a snapshot, here of the empty queue before the jobs are submitted: every job then reaches it through
/// the feed, as submissions reach a running leader. As kube-scheduler's informers watch while its cycles run, the
/// informer's next read of the feed runs while the cycle places (what it finds is applied at the start of the next
/// cycle), a page of one cycle's jobs per shard at a time, so a backlog streams in over the first cycles. Like kube-scheduler's binding, a cycle's commit runs while the next cycle places: placements in flight
/// are assumed (their resources held in the fleet, their jobs taken out of the informer's cache) until the store
/// answers; a placement it refuses as stale gives its resources back. Timed: everything from the first read (of the
/// submissions, through the feed) to the last answer. Not timed: the informer's first snapshot (of the empty
/// queue), submitting the jobs and registering the workers. Jobs finish (give their resources back to the fleet) one
/// cycle after they are committed, so the fleet stays in steady state.
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
        let pools = Set(records.map(\.pool))
        // Pages of one cycle's jobs per shard: a backlog larger than that streams in while the cycles place, as
        // kube-scheduler's informers deliver events while its cycles run, instead of holding up the first cycle.
        var informer = WaitingJobsInformer(changesPerRead: batch)
        try await informer.refresh(from: store, token: 1, pools: pools, now: now)
        try await concurrently(records, width: 64) { try await store.upsertWorker($0) }
        try await concurrently(Array(0..<jobs), width: 64) { n in
            _ = try await store.submit(BenchFleet.spec(n), now: now)
        }

        var fleet = FleetSnapshotBuilder().snapshot(workers: records, holding: [], now: now)
        var planner = PlacementPlanner(cycle: try SchedulingCycle(), settings: PlannerSettings(explanationRefresh: nil))
        var latencies = Latencies()
        var committed = 0
        var stale = 0
        var reading: Task<WaitingJobsInformer.ReadResult, any Error>?
        var morePending = true
        var inFlight: (commits: [PlacementCommit], outcomes: Task<[PlacementCommitOutcome], any Error>)?
        var finishing: [PlacementCommit] = []
        let redisCPUBefore = try await redisCPUSeconds(client)
        let clientCPUBefore = processCPUSeconds()
        let started = ContinuousClock.now
        while true {
            let began = ContinuousClock.now
            // What the read started during the last cycle found, or a read now on the first cycle or after a gap.
            // A full page leaves more in the feed: the next read, started below, takes it while this cycle places.
            let result: WaitingJobsInformer.ReadResult
            if let reading {
                result = try await reading.value
            } else {
                result = try await WaitingJobsInformer.perform(
                    informer.nextRead(token: 1, pools: pools, now: Date()), on: store)
            }
            informer.apply(result, now: Date())
            morePending = informer.readFullPage(result)
            if informer.nextRead(token: 1, pools: pools, now: Date()).snapshotReason != nil {
                // A gap: a snapshot now, as the placement service takes one.
                try await informer.refresh(from: store, token: 1, pools: pools, now: Date())
            }
            let next = informer.nextRead(token: 1, pools: pools, now: Date())
            reading = Task { try await WaitingJobsInformer.perform(next, on: store) }
            let refreshed = ContinuousClock.now
            let waiting = informer.best(limit: batch, pools: pools, now: Date())
            let readDone = ContinuousClock.now
            let commits = planner.plan(PlacementView(now: now, waiting: waiting, holding: []), fleet: &fleet)
                .placements
            informer.assume(commits)
            let placedDone = ContinuousClock.now
            // The previous cycle's jobs finish; its commit, running meanwhile, is collected.
            for commit in finishing { fleet.release(commit.job, placement: commit.placement) }
            finishing = []
            if let previous = inFlight {
                let outcomes = try await previous.outcomes.value
                for (commit, outcome) in zip(previous.commits, outcomes) {
                    if outcome == .committed {
                        committed += 1
                        finishing.append(commit)
                    } else {
                        stale += 1
                        fleet.release(commit.job, placement: commit.placement)
                    }
                }
                inFlight = nil
            }
            if ProcessInfo.processInfo.environment["SPOOL_BENCH_TRACE"] != nil {
                let waited = ContinuousClock.now - placedDone
                let line =
                    "read \(refreshed - began) best \(readDone - refreshed) place \(placedDone - readDone) "
                    + "wait \(waited)\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
            if commits.isEmpty && waiting.isEmpty && !morePending { break }
            let batchCommits = commits
            inFlight = (batchCommits, Task { try await store.commitPlacements(batchCommits, now: Date()) })
            latencies.record(ContinuousClock.now - began)
        }
        let elapsed = ContinuousClock.now - started
        let clientCPU = processCPUSeconds() - clientCPUBefore
        let redisCPU = try await redisCPUSeconds(client) - redisCPUBefore
        await client.close()
        emit([
            "system": "spool", "mode": "redis", "workers": count, "devices": fleet.deviceCount, "placements": committed,
            "stale": stale, "jobs": jobs, "cycle_jobs": batch, "seconds": elapsed.secondsDouble,
            "per_second": Double(committed) / elapsed.secondsDouble, "p50_us": latencies.percentile(0.5),
            "p99_us": latencies.percentile(0.99), "client_cpu_seconds": clientCPU, "redis_cpu_seconds": redisCPU,
        ])
    }

    /// CPU time redis-server has used so far (INFO cpu), to show which side of the commit path is busy.
    static func redisCPUSeconds(_ client: RedisClient) async throws -> Double {
        let info = try await client.send(["INFO", "cpu"]).string ?? ""
        var total = 0.0
        for line in info.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":")
            if parts.count == 2, parts[0] == "used_cpu_user" || parts[0] == "used_cpu_sys" {
                total += Double(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        return total
    }

    /// CPU time this process has used so far, user and system.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
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
