import Foundation
import SpoolCore
import SpoolScheduling

/// The scheduling cycle alone: cycles of `batch` jobs on an in-memory fleet in steady state (each cycle's
/// placements finish before the next cycle), so every cycle sees a fleet with room, as a busy but healthy cluster is.
enum PureBenchmark {
    static func run(workers count: Int, jobs: Int, batch: Int, profile: SchedulingProfile) throws {
        let now = Date()
        var fleet = FleetSnapshotBuilder().snapshot(workers: BenchFleet.workers(count, now: now), holding: [], now: now)
        var cycle = try SchedulingCycle(profile: profile)
        let requests = (0..<jobs).map { BenchFleet.request($0, now: now) }
        var latencies = Latencies()
        var placed = 0
        var busy = Duration.zero
        var start = 0
        while start < requests.count {
            let slice = Array(requests[start..<min(start + batch, requests.count)])
            start += slice.count
            let began = ContinuousClock.now
            let decisions = cycle.run(slice, on: &fleet, now: now)
            let took = ContinuousClock.now - began
            busy += took
            latencies.record(took)
            for decided in decisions {
                guard let placement = decided.decision.placement else { continue }
                placed += 1
                fleet.release(decided.job, placement: placement)
            }
        }
        emit([
            "system": "spool", "mode": "pure", "profile": profile.name, "workers": count, "devices": fleet.deviceCount,
            "placements": placed, "jobs": jobs, "cycle_jobs": batch, "seconds": busy.secondsDouble,
            "per_second": Double(placed) / busy.secondsDouble, "p50_us": latencies.percentile(0.5),
            "p99_us": latencies.percentile(0.99),
        ])
    }
}
