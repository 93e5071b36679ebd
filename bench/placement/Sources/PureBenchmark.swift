import Foundation
import SpoolCore
import SpoolScheduling

/// The placement planner alone (the one the placement service and `spool simulate` run: dispatch order, class
/// admission, the filter/score cycle, preemption and degradation checks): steps of `batch` waiting jobs on an
/// in-memory fleet in steady state (each step's placements finish before the next), so every step sees a fleet with
/// room, as a busy but healthy cluster is. Explanations are off, as they are for jobs already explained.
enum PureBenchmark {
    static func run(workers count: Int, jobs: Int, batch: Int, profile: SchedulingProfile) throws {
        let now = Date()
        var fleet = FleetSnapshotBuilder().snapshot(workers: BenchFleet.workers(count, now: now), holding: [], now: now)
        var planner = PlacementPlanner(
            cycle: try SchedulingCycle(profile: profile), settings: PlannerSettings(explanationRefresh: nil))
        let requests = (0..<jobs).map { BenchFleet.queued($0, now: now) }
        var latencies = Latencies()
        var placed = 0
        var busy = Duration.zero
        var start = 0
        while start < requests.count {
            let slice = Array(requests[start..<min(start + batch, requests.count)])
            start += slice.count
            let began = ContinuousClock.now
            let plan = planner.plan(PlacementView(now: now, waiting: slice, holding: []), fleet: &fleet)
            let took = ContinuousClock.now - began
            busy += took
            latencies.record(took)
            for commit in plan.placements {
                placed += 1
                fleet.release(commit.job, placement: commit.placement)
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
