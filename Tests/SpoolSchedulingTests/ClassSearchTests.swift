import Foundation
import GPUMemoryLedger
import SpoolCore
import SpoolDispatch
import TestThreads
import Testing

@testable import SpoolScheduling

/// Searching by classes of like devices must decide exactly what searching device by device decides: the same
/// device for every job, the same score, the same waiting reason, the same reservations and the same place for
/// the next search to start. Checked on random fleets and jobs, for every built-in profile and a few more.
@Suite(.cpuBound) struct ClassSearchTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    static let profiles: [SchedulingProfile] =
        SchedulingProfile.builtIn + [
            SchedulingProfile(name: "seed_3", weights: SchedulingProfile.seedWeights, sampling: .feasible(limit: 3)),
            SchedulingProfile(name: "whole_gpu", weights: [:], sampling: .feasible(limit: 1)),
            SchedulingProfile(name: "first_of_all", weights: [:], sampling: .all),
            SchedulingProfile(name: "pack_5", weights: ["bin_pack": 1], sampling: .feasible(limit: 5)),
            SchedulingProfile(
                name: "pool_only", filters: ["pool"], weights: ["spread": 1, "compute_capability": 0.5],
                sampling: .feasible(limit: 4)),
        ]

    @Test(arguments: profiles)
    func aSearchByClassesPlacesEveryJobWhereTheScanWould(profile: SchedulingProfile) throws {
        for seed in UInt64(1)...12 {
            var random = SplitMix64(seed: seed)
            let fleet = Self.randomFleet(&random)
            let requests = Self.randomRequests(&random, count: 150)

            var plainFleet = fleet
            var plain = try SchedulingCycle(profile: profile, seed: seed)
            let expected = requests.map { plain.place($0, in: &plainFleet, now: now) }

            var classFleet = fleet
            var byClass = try SchedulingCycle(profile: profile, seed: seed)
            let decided = byClass.run(requests, on: &classFleet, now: now)

            #expect(decided == expected, "profile \(profile.name), seed \(seed)")
            #expect(classFleet == plainFleet, "profile \(profile.name), seed \(seed)")
            #expect(byClass.nextStart == plain.nextStart, "profile \(profile.name), seed \(seed)")
            #expect(decided.contains { $0.decision.placement != nil })
        }
    }

    /// The classes kept in step with reservations are the ones a fresh index would find.
    @Test func classesFollowTheReservationsTheCycleMakes() throws {
        var random = SplitMix64(seed: 77)
        var fleet = Self.randomFleet(&random)
        var classes: DeviceClasses? = DeviceClasses(fleet)
        var cycle = try SchedulingCycle(profile: .bestFit)
        for request in Self.randomRequests(&random, count: 100) {
            _ = cycle.place(request, in: &fleet, classes: &classes, now: now)
        }
        let kept = try #require(classes)
        let fresh = DeviceClasses(fleet)
        for number in 0..<fresh.deviceCount {
            #expect(kept.appearances[kept.classOf[number]] == fresh.appearances[fresh.classOf[number]])
        }
        for c in kept.occupied {
            #expect(kept.members[c] == kept.members[c].sorted())
            #expect(kept.members[c].allSatisfy { kept.classOf[$0] == c })
        }
        #expect(kept.occupied.reduce(0) { $0 + kept.members[$1].count } == fresh.deviceCount)
    }

    /// The planner shares one index across a step's searches and keeps it for the next step, whatever changed in
    /// between (jobs finished, a worker drained, workers came and went): its plans are the ones the scan makes,
    /// whether it compares every worker between steps or is told which ones changed (`changedWorkers`).
    @Test(arguments: [SchedulingProfile.bestFit, .seed, .firstFit])
    func thePlannerPlansTheSameWithClasses(profile: SchedulingProfile) throws {
        for seed in UInt64(1)...6 {
            var random = SplitMix64(seed: seed)
            let fleet = Self.randomFleet(&random)
            let waiting = Self.randomRequests(&random, count: 120).enumerated().map { index, request in
                QueuedJob(
                    id: request.job, version: 0, tenant: TenantID(rawValue: "t\(index % 3)"),
                    serviceClass: ServiceClass.allCases[index % ServiceClass.allCases.count], priority: 50,
                    pool: request.pool, acceleration: request.acceleration, preset: request.estimateKey,
                    shape: request.shape, input: "", createdAt: now.addingTimeInterval(Double(-index)))
            }
            func steps(byClass: Bool, reportsChanges: Bool = false) throws -> ([PlacementPlan], FleetSnapshot) {
                var cycle = try SchedulingCycle(profile: profile, explainLimit: 0, seed: seed)
                cycle.searchesByClass = byClass
                var planner = PlacementPlanner(
                    cycle: cycle, settings: PlannerSettings(explanationRefresh: nil), seed: seed)
                var fleet = fleet
                var plans: [PlacementPlan] = []
                var left = waiting
                var changed: [Int]? = nil
                for step in 0..<4 {
                    let plan = planner.plan(
                        PlacementView(
                            now: now.addingTimeInterval(Double(step)), waiting: left, holding: [],
                            changedWorkers: reportsChanges ? changed : nil),
                        fleet: &fleet)
                    changed = []
                    plans.append(plan)
                    let placed = Set(plan.placements.map(\.job))
                    left.removeAll { placed.contains($0.id) }
                    // Between steps the fleet changes behind the planner's back, as the service's would.
                    for commit in plan.placements.prefix(plan.placements.count / 2) {
                        fleet.release(commit.job, placement: commit.placement)
                        changed?.append(fleet.workerIndex[commit.placement.worker]!)
                    }
                    switch step {
                    case 0:
                        fleet.workers[fleet.workers.count / 2].accepting = false
                        changed?.append(fleet.workers.count / 2)
                    case 1:
                        fleet = FleetSnapshot(workers: Array(fleet.workers.dropFirst()), takenAt: now)
                        changed = nil
                    default: break
                    }
                    left += Self.randomRequests(&random, count: 30).map { request in
                        QueuedJob(
                            id: JobID(rawValue: "s\(step)-\(request.job)"), version: 0, tenant: TenantID(rawValue: "t"),
                            serviceClass: .standard, priority: 50, pool: request.pool,
                            acceleration: request.acceleration, preset: nil, shape: request.shape, input: "",
                            createdAt: now)
                    }
                }
                return (plans, fleet)
            }
            let arrivals = random
            let (expected, expectedFleet) = try steps(byClass: false)
            random = arrivals
            let (planned, plannedFleet) = try steps(byClass: true)
            #expect(planned == expected, "profile \(profile.name), seed \(seed)")
            #expect(plannedFleet == expectedFleet)
            random = arrivals
            let (told, toldFleet) = try steps(byClass: true, reportsChanges: true)
            #expect(told == expected, "profile \(profile.name), seed \(seed), changed workers reported")
            #expect(toldFleet == expectedFleet)
            #expect(planned.contains { !$0.placements.isEmpty })
        }
    }

    // MARK: - Random fleets and jobs

    static let models = ["NVIDIA L4", "Tesla T4", "NVIDIA H200", "NVIDIA GeForce RTX 3060", "NVIDIA A100-SXM4-40GB"]
    static let presets = ["web-720p", "web-1080p", "web-360p", "hevc-1080p", "hls-ladder", "thumbnails"]
    static let pools = ["cuda", "cpu", "edge"]

    /// Workers drawn from a few templates, so that many look alike, with some set apart: partly loaded, measured,
    /// fenced, draining, or taking pinned jobs only.
    static func randomFleet(_ random: inout SplitMix64) -> FleetSnapshot {
        let templates = (0..<4).map { _ in template(&random) }
        let count = Int.random(in: 8...60, using: &random)
        var workers: [WorkerSnapshot] = []
        for n in 0..<count {
            var worker = templates[Int.random(in: 0..<templates.count, using: &random)]
            worker.id = WorkerID(rawValue: "w\(n)")
            if Int.random(in: 0..<4, using: &random) == 0 {
                worker.assigned = Int.random(in: 0...worker.slots, using: &random)
                for d in worker.devices.indices where worker.devices[d].kind == .gpu {
                    let jobs = Int.random(in: 0...3, using: &random)
                    for j in 0..<jobs {
                        worker.devices[d].reserveMemory(
                            Int.random(in: 200...4_000, using: &random),
                            for: LedgerOwner(rawValue: "pre-\(n)-\(d)-\(j)"))
                        worker.devices[d].encoderSessions.inUse += 1
                        worker.devices[d].decoderSessions.inUse += 1
                    }
                }
            }
            if Int.random(in: 0..<10, using: &random) == 0 { worker.accepting = false }
            if Int.random(in: 0..<10, using: &random) == 0 { worker.acceptsUnpinned = false }
            if Int.random(in: 0..<8, using: &random) == 0, !worker.devices.isEmpty {
                worker.devices[0].fencedReason = "Xid 79"
            }
            if Int.random(in: 0..<8, using: &random) == 0, !worker.devices.isEmpty {
                worker.devices[0].utilization = Double(Int.random(in: 0...10, using: &random)) / 10
                worker.devices[0].temperatureC = Double(Int.random(in: 30...90, using: &random))
            }
            workers.append(worker)
        }
        return FleetSnapshot(workers: workers, takenAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    static func template(_ random: inout SplitMix64) -> WorkerSnapshot {
        let pool = pools[Int.random(in: 0..<pools.count, using: &random)]
        var devices: [DeviceSnapshot] = []
        var hostSessions: SessionCount?
        let gpus = pool == "cpu" ? 0 : Int.random(in: 1...3, using: &random)
        for index in 0..<gpus {
            let model = models[Int.random(in: 0..<models.count, using: &random)]
            var device = gpuDevice(
                model: model, memoryMiB: [8_192, 16_384, 23_034][Int.random(in: 0...2, using: &random)])
            device.gpuIndex = index
            if let cap = device.engines.sessionLimit { hostSessions = SessionCount(capacity: cap) }
            devices.append(device)
        }
        if pool != "cuda" {
            devices.append(
                DeviceSnapshot(
                    kind: Bool.random(using: &random) ? .cpu : .opencl, gpuIndex: nil, model: "8 cores",
                    performance: GPUPerformance(fp32TFLOPS: 0.4, memoryBandwidthGBps: 50, boardPowerW: 80)))
        }
        return WorkerSnapshot(
            id: WorkerID(rawValue: "template"), pool: pool, poolKind: pool == "cpu" ? .cpu : .hybrid,
            slots: Int.random(in: 2...12, using: &random), devices: devices, hostEncoderSessions: hostSessions)
    }

    static func randomRequests(_ random: inout SplitMix64, count: Int) -> [PlacementRequest] {
        (0..<count).map { n in
            let pinned = Int.random(in: 0..<5, using: &random) == 0
            return request(
                "j\(n)", preset: presets[Int.random(in: 0..<presets.count, using: &random)],
                acceleration: Acceleration.allCases[Int.random(in: 0..<Acceleration.allCases.count, using: &random)],
                pool: pinned ? (pools + ["nowhere"])[Int.random(in: 0...pools.count, using: &random)] : nil)
        }
    }
}
