import Foundation
import SpoolCore
import SpoolDispatch
import SpoolScheduling

/// The same job stream under each placement profile, in virtual time: jobs arrive in ticks, each must be placed in
/// its tick or is rejected (no queue, so the profiles' packing shows directly), and runs for a set number of ticks.
/// Workers get slots to spare, so GPU memory and encoder sessions are what runs out: a four-rendition ladder needs
/// four free sessions on one GPU, which packing keeps and spreading scatters. Utilisation is the fleet's reserved
/// GPU memory and sessions in use over its capacity, averaged over ticks.
enum StrategyComparison {
    static func run(workers count: Int, jobs: Int, arrivalsPerWorker: Double = 4) throws {
        for profile in [SchedulingProfile.seed, .bestFit, .firstFit, .powerOfTwo] {
            try run(profile, workers: count, jobs: jobs, arrivalsPerWorker: arrivalsPerWorker)
        }
    }

    static func run(_ profile: SchedulingProfile, workers count: Int, jobs: Int, arrivalsPerWorker: Double) throws {
        let now = Date()
        let workers = BenchFleet.workers(count, now: now).map { worker in
            var roomy = worker
            roomy.slots = 256
            return roomy
        }
        var fleet = FleetSnapshotBuilder().snapshot(workers: workers, holding: [], now: now)
        var planner = PlacementPlanner(
            cycle: try SchedulingCycle(profile: profile, seed: 7), settings: PlannerSettings(explanationRefresh: nil),
            seed: 7)
        var random = SplitMix64(seed: 2026)
        // Enough arrivals per tick to keep the fleet near its session limits, so packing decides what fits.
        let perTick = max(1, Int(Double(count) * arrivalsPerWorker))
        var running: [(job: JobID, placement: JobPlacement, endsAt: Int)] = []
        var placed = 0
        var rejected = 0
        var memoryShare = 0.0
        var encoderShare = 0.0
        var samples = 0
        var submitted = 0
        var tick = 0
        while submitted < jobs {
            tick += 1
            let arrivals = min(perTick, jobs - submitted)
            let waiting = (submitted..<(submitted + arrivals)).map { BenchFleet.queued($0, now: now) }
            submitted += arrivals
            let plan = planner.plan(PlacementView(now: now, waiting: waiting, holding: []), fleet: &fleet)
            for commit in plan.placements {
                placed += 1
                running.append((commit.job, commit.placement, tick + 2 + Int(random.next() % 6)))
            }
            rejected += waiting.count - plan.placements.count
            var reserved = 0.0
            var memoryCapacity = 0.0
            var sessionsInUse = 0.0
            var sessionCapacity = 0.0
            for worker in fleet.workers {
                for device in worker.devices {
                    reserved += Double(device.memoryFigures.reservedMiB)
                    memoryCapacity += Double(device.memoryFigures.capacityMiB)
                    sessionsInUse += Double(device.encoderSessions.inUse)
                    sessionCapacity += Double(device.encoderSessions.capacity)
                }
            }
            memoryShare += memoryCapacity > 0 ? reserved / memoryCapacity : 0
            encoderShare += sessionCapacity > 0 ? sessionsInUse / sessionCapacity : 0
            samples += 1
            for job in running where job.endsAt <= tick { fleet.release(job.job, placement: job.placement) }
            running.removeAll { $0.endsAt <= tick }
        }
        emit([
            "system": "spool", "mode": "strategy", "profile": profile.name, "workers": count, "placed": placed,
            "rejected": rejected, "gpu_memory_utilisation": memoryShare / Double(max(1, samples)),
            "encoder_utilisation": encoderShare / Double(max(1, samples)),
        ])
    }
}
