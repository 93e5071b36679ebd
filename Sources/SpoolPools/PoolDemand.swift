import Foundation
import SpoolAutoscaling
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
        let byName = Dictionary(uniqueKeysWithValues: pools.map { ($0.name, $0) })
        var attributed: [String: [QueuedJob]] = [:]
        var load: [String: Int] = [:]
        for worker in workers { load[worker.pool, default: 0] += worker.running.count }
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
            let chosen = eligible.min { lhs, rhs in
                let left = Double(load[lhs.name] ?? 0) / Double(max(lhs.maxWorkers, 1))
                let right = Double(load[rhs.name] ?? 0) / Double(max(rhs.maxWorkers, 1))
                return left != right ? left < right : lhs.name < rhs.name
            }
            if let chosen {
                attributed[chosen.name, default: []].append(job)
                load[chosen.name, default: 0] += 1
            }
        }
        return attributed
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
