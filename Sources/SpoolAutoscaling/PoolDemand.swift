import Foundation
import SpoolCore

/// Splits the waiting jobs among managed pools and measures each pool's signals. Pure: the manager reads the store,
/// this decides what the numbers are.
public enum PoolDemand {
    /// Which pools each waiting job counts against. A pinned job counts for its pool; an unpinned one for the active
    /// pool that can serve it and is least loaded relative to its maximum, so one job never scales two pools.
    ///
    /// With `routing`, an unpinned batch job counts for the eligible pool where it costs least (compute and moving
    /// its input), across clouds; realtime and standard work stays with the least loaded pool, where it starts
    /// soonest. Placement is not changed by it: a batch job still runs on any idle slot already paid for.
    public static func attribute(
        _ waiting: [QueuedJob], to pools: [PoolSpec], workers: [WorkerRecord], routing: BatchRouting? = nil
    ) -> [String: [QueuedJob]] {
        var running: [String: Int] = [:]
        for worker in workers { running[worker.pool, default: 0] += worker.running.count }
        return attribute(waiting, to: pools, running: running, routing: routing)
    }

    /// The same attribution from the jobs each pool is running (`running`, by pool name): the simulator keeps that
    /// count itself instead of worker records.
    public static func attribute(
        _ waiting: [QueuedJob], to pools: [PoolSpec], running: [String: Int], routing: BatchRouting? = nil
    ) -> [String: [QueuedJob]] {
        let byName = Dictionary(uniqueKeysWithValues: pools.map { ($0.name, $0) })
        var attributed: [String: [QueuedJob]] = [:]
        var load = running
        let waiting =
            routing.map { pinnedToInputCloud(waiting, pools: pools, running: running, routing: $0) } ?? waiting
        for job in waiting {
            if let pinned = job.pool {
                if byName[pinned] != nil { attributed[pinned, default: []].append(job) }
                continue
            }
            let eligible = pools.filter { $0.acceptsWork && serves($0.kind, job.acceleration) }
            if job.serviceClass == .batch, let routing,
                let cheapest = routing.cheapest(for: job.input, among: eligible.map(\.name), load: load)
            {
                attributed[cheapest, default: []].append(job)
                load[cheapest, default: 0] += 1
                continue
            }
            if let chosen = leastLoaded(eligible.map(\.name), load: load, pools: byName) {
                attributed[chosen, default: []].append(job)
                load[chosen, default: 0] += 1
            }
        }
        return attributed
    }

    /// Unpinned jobs whose input is stored in a cloud that charges for moving it out, pinned so that they never run
    /// where moving the input costs more than the compute it saves: a batch job to the pool where it costs least in
    /// all (compute and transfer), a realtime or standard one to the least loaded of the pools where moving it is
    /// worth it (`BatchRouting.worthwhilePools`), where it starts soonest. When every eligible pool is worth it, the
    /// job stays unpinned; so does one no pool has room for at its maximum (its SLO comes before the saving), and one
    /// whose input moves for free or is stored nowhere known. The placement service pins the jobs it places with
    /// this and `attribute` attributes them alike, so the pool that grows for a job is the pool it can run in.
    public static func pinnedToInputCloud(
        _ waiting: [QueuedJob], pools: [PoolSpec], running: [String: Int], routing: BatchRouting
    ) -> [QueuedJob] {
        let byName = Dictionary(uniqueKeysWithValues: pools.map { ($0.name, $0) })
        var load = running
        var pinned = waiting
        for index in pinned.indices where pinned[index].pool == nil {
            let job = pinned[index]
            guard let home = routing.provider(ofInput: job.input), (routing.egressPerGB[home] ?? 0) > 0,
                routing.assumedInputGB > 0
            else { continue }
            let eligible = pools.filter { $0.acceptsWork && serves($0.kind, job.acceleration) }.map(\.name)
            let chosen: String?
            if job.serviceClass == .batch {
                chosen = routing.cheapest(for: job.input, among: eligible, load: load)
            } else {
                let worthwhile = routing.worthwhilePools(for: job.input, among: eligible, load: load)
                chosen =
                    worthwhile.count == eligible.count ? nil : leastLoaded(worthwhile, load: load, pools: byName)
            }
            guard let chosen else { continue }
            pinned[index].pool = chosen
            load[chosen, default: 0] += 1
        }
        return pinned
    }

    /// The pool with the fewest jobs for its maximum size, where work starts soonest; ties go to the name.
    private static func leastLoaded(_ names: [String], load: [String: Int], pools: [String: PoolSpec]) -> String? {
        names.min { lhs, rhs in
            let left = Double(load[lhs] ?? 0) / Double(max(pools[lhs]?.maxWorkers ?? 1, 1))
            let right = Double(load[rhs] ?? 0) / Double(max(pools[rhs]?.maxWorkers ?? 1, 1))
            return left != right ? left < right : lhs < rhs
        }
    }

    /// Whether a pool of this kind can run a job that asks for this hardware.
    public static func serves(_ kind: PoolKind, _ acceleration: Acceleration) -> Bool {
        switch acceleration {
        case .auto: true
        case .nvenc, .gpu: kind == .cuda || kind == .hybrid
        case .cpu: kind == .cpu || kind == .opencl || kind == .hybrid
        }
    }

    /// The pool's signals at `now`. `booting` counts workers the actuator started that have not registered yet.
    public static func signals(
        waiting: [QueuedJob], workers: [WorkerRecord], booting: Int, now: Date,
        responseTimeSeconds: Double? = nil, lastSpotInterruption: Date? = nil
    ) -> PoolSignals {
        let ready = workers.filter { !$0.draining }
        let waitSince = { (jobs: [QueuedJob]) in
            jobs.map(\.createdAt).min().map { max(now.timeIntervalSince($0), 0) } ?? 0
        }
        let oldest = waitSince(waiting)
        let batch = waiting.filter { $0.serviceClass == .batch }
        return PoolSignals(
            time: now, waiting: waiting.count, inFlight: workers.reduce(0) { $0 + $1.running.count },
            busyWorkers: workers.filter { !$0.running.isEmpty }.count, readyWorkers: ready.count,
            bootingWorkers: booting, oldestWaitSeconds: oldest, responseTimeSeconds: responseTimeSeconds,
            lastSpotInterruption: lastSpotInterruption, waitingBatch: batch.count,
            oldestBatchWaitSeconds: waitSince(batch),
            oldestOtherWaitSeconds: waitSince(waiting.filter { $0.serviceClass != .batch }))
    }

    /// Mean seconds a job ran, per pool, over the jobs that finished within `window` before `now`: the response-time
    /// signal (and the run time the cost judgement assumes).
    public static func responseTimes(_ finished: [Job], now: Date, window: TimeInterval = 600) -> [String: Double] {
        var sums: [String: (total: Double, count: Int)] = [:]
        for job in finished {
            guard let pool = job.pool, let started = job.startedAt, let ended = job.finishedAt,
                now.timeIntervalSince(ended) <= window, ended >= started
            else { continue }
            sums[pool, default: (0, 0)].total += ended.timeIntervalSince(started)
            sums[pool, default: (0, 0)].count += 1
        }
        return sums.mapValues { $0.total / Double($0.count) }
    }
}
