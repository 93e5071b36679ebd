import Foundation
import SpoolCore
import SpoolDispatch

/// A small fleet driven by arrivals: jobs are placed first-fit, and a job that fits nowhere asks the planner; plans
/// are carried out (victims evicted, requeued and placed again later). Every plan is checked against the rules,
/// and every eviction is kept so the protection window can be checked afterwards.
struct PreemptionReplay {
    struct Arrival {
        var serviceClass: ServiceClass
        var priority: Int
        var memory: Int
        var encoders: Int
        var gap: TimeInterval
        var duration: TimeInterval
    }

    private struct Device {
        var id: String
        var capacity: ResourceDemand
        var jobs: [(job: RunningJob, endsAt: Date)] = []

        var free: ResourceDemand { jobs.reduce(capacity) { $0 - $1.job.demand } }
    }

    private struct Pending {
        var id: JobID
        var serviceClass: ServiceClass
        var priority: Int
        var demand: ResourceDemand
        var duration: TimeInterval
        var enqueuedAt: Date
    }

    let configuration: DispatchConfiguration
    let planner: PreemptionPlanner
    private var devices: [Device]
    private var waiting: [Pending] = []
    private var durations: [JobID: TimeInterval] = [:]
    private(set) var history = EvictionHistory()
    private(set) var now = epoch
    private(set) var violations: [String] = []
    private(set) var plansCarriedOut = 0
    private(set) var protectionRefusals = 0
    private var serial = 0

    /// - Parameter fleet: per device, its GPU memory in GiB and its encoder sessions.
    init(fleet: [(memoryGiB: Int, encoders: Int)], configuration: DispatchConfiguration = .default) {
        self.configuration = configuration
        planner = PreemptionPlanner(configuration: configuration)
        devices = fleet.enumerated().map { index, device in
            Device(
                id: "gpu-\(index)",
                capacity: ResourceDemand(
                    gpuMemoryMiB: device.memoryGiB * 1024, encoderSessions: device.encoders, decoderSessions: 0,
                    slots: 64))
        }
    }

    mutating func arrive(_ arrival: Arrival) {
        now = now.addingTimeInterval(arrival.gap)
        finishDueJobs()
        // Jobs that finished made room: the scheduler runs before the newcomer joins the queue.
        placeWaitingJobs()
        serial += 1
        let id = JobID(rawValue: "job-\(serial)")
        durations[id] = arrival.duration
        waiting.append(
            Pending(
                id: id, serviceClass: arrival.serviceClass, priority: arrival.priority,
                demand: ResourceDemand(
                    gpuMemoryMiB: arrival.memory * 1024, encoderSessions: arrival.encoders, decoderSessions: 0, slots: 1
                ),
                duration: arrival.duration, enqueuedAt: now))
        placeWaitingJobs()
    }

    /// Evictions per job within any window of `protectionSeconds` (half-open, starting at an eviction).
    func mostEvictionsInAnyProtectionWindow() -> (job: JobID, count: Int)? {
        var worst: (job: JobID, count: Int)?
        for id in durations.keys {
            let times = history.evictions(of: id).sorted()
            for (index, start) in times.enumerated() {
                let end = start.addingTimeInterval(configuration.preemption.protectionSeconds)
                let count = times[index...].prefix { $0 < end }.count
                if count > worst?.count ?? 0 { worst = (id, count) }
            }
        }
        return worst
    }

    private mutating func finishDueJobs() {
        for index in devices.indices {
            for finished in devices[index].jobs where finished.endsAt <= now {
                history.forget(finished.job.id)
            }
            devices[index].jobs.removeAll { $0.endsAt <= now }
        }
    }

    private mutating func placeWaitingJobs() {
        var passes = 0
        var progress = true
        while progress {
            passes += 1
            guard passes <= 100 else {
                violations.append("placement did not settle after 100 passes")
                return
            }
            progress = false
            let queue = waiting.sorted {
                (configuration.rank(of: $0.serviceClass), $0.enqueuedAt, $0.id.rawValue)
                    < (configuration.rank(of: $1.serviceClass), $1.enqueuedAt, $1.id.rawValue)
            }
            for pending in queue where waiting.contains(where: { $0.id == pending.id }) {
                if let index = devices.firstIndex(where: { pending.demand.fits(in: $0.free) }) {
                    place(pending, on: index)
                    progress = true
                    continue
                }
                let request = PreemptionRequest(
                    id: pending.id, serviceClass: pending.serviceClass, priority: pending.priority,
                    demand: pending.demand)
                let occupancy = devices.map { device in
                    DeviceOccupancy(
                        id: device.id, free: device.free, running: device.jobs.map { history.annotated($0.job) })
                }
                switch planner.plan(for: request, devices: occupancy, now: now) {
                case .evict(let plan):
                    check(plan, for: request, occupancy: occupancy)
                    carryOut(plan, for: pending)
                    progress = true
                case .refuse(.victimsProtected):
                    protectionRefusals += 1
                case .refuse:
                    break
                }
            }
        }
    }

    private mutating func place(_ pending: Pending, on index: Int) {
        waiting.removeAll { $0.id == pending.id }
        let job = RunningJob(
            id: pending.id, serviceClass: pending.serviceClass, priority: pending.priority, demand: pending.demand,
            startedAt: now)
        devices[index].jobs.append((job, now.addingTimeInterval(pending.duration)))
    }

    private mutating func carryOut(_ plan: PreemptionPlan, for pending: Pending) {
        guard let index = devices.firstIndex(where: { $0.id == plan.deviceID }) else { return }
        for victim in plan.victims {
            guard let evicted = devices[index].jobs.first(where: { $0.job.id == victim })?.job else { continue }
            devices[index].jobs.removeAll { $0.job.id == victim }
            history.recordEviction(of: victim, at: now)
            // Requeued, not failed: it starts over with its whole duration.
            waiting.append(
                Pending(
                    id: victim, serviceClass: evicted.serviceClass, priority: evicted.priority, demand: evicted.demand,
                    duration: durations[victim] ?? 60, enqueuedAt: now))
        }
        guard pending.demand.fits(in: devices[index].free) else {
            violations.append("\(plan) does not make room for \(pending.id)")
            return
        }
        place(pending, on: index)
    }

    private mutating func check(_ plan: PreemptionPlan, for request: PreemptionRequest, occupancy: [DeviceOccupancy]) {
        plansCarriedOut += 1
        guard let device = occupancy.first(where: { $0.id == plan.deviceID }) else {
            violations.append("\(plan) names an unknown device")
            return
        }
        let requestRank = configuration.rank(of: request.serviceClass)
        var freed = ResourceDemand.zero
        var victims: [RunningJob] = []
        for id in plan.victims {
            guard let victim = device.running.first(where: { $0.id == id }) else {
                violations.append("\(plan) evicts \(id), which is not on \(device.id)")
                continue
            }
            victims.append(victim)
            freed = freed + victim.demand
            if configuration.rank(of: victim.serviceClass) <= requestRank {
                violations.append(
                    "\(request.serviceClass) job \(request.id) evicts \(victim.serviceClass) job \(victim.id)")
            }
            if history.isProtected(id, at: now, settings: configuration.preemption) {
                violations.append("\(id) is evicted while protected")
            }
        }
        if freed != plan.freed { violations.append("\(plan) reports \(plan.freed) freed, victims hold \(freed)") }
        if !request.demand.fits(in: device.free + freed) {
            violations.append("\(plan) does not free enough for \(request.demand)")
        }
        for victim in victims where request.demand.fits(in: device.free + freed - victim.demand) {
            violations.append("\(plan) evicts \(victim.id) without needing to")
        }
        if let fewer = smallestCoverCount(for: request, occupancy: occupancy), fewer < victims.count {
            violations.append("\(plan) evicts \(victims.count) jobs where \(fewer) would do")
        }
    }

    /// The fewest evictable jobs that make room on any one device, by brute force where devices are small.
    private func smallestCoverCount(for request: PreemptionRequest, occupancy: [DeviceOccupancy]) -> Int? {
        let requestRank = configuration.rank(of: request.serviceClass)
        var best: Int?
        for device in occupancy {
            let eligible = device.running.filter {
                configuration.rank(of: $0.serviceClass) > requestRank
                    && !$0.isProtected(at: now, settings: configuration.preemption)
            }
            guard eligible.count <= 12 else { return nil }
            for mask in 1..<(1 << eligible.count) {
                let chosen = eligible.indices.filter { mask & (1 << $0) != 0 }
                guard chosen.count < best ?? Int.max else { continue }
                let freed = chosen.reduce(ResourceDemand.zero) { $0 + eligible[$1].demand }
                if request.demand.fits(in: device.free + freed) { best = chosen.count }
            }
        }
        return best
    }
}
