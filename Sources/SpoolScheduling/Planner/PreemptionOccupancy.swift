import GPUMemoryLedger
import SpoolCore
import SpoolDispatch

/// Translates a fleet snapshot into what the preemption planner reasons about: for each device the waiting job
/// could run on (its pool, acceleration and health allow it) and some job runs on, what is free there and which jobs
/// hold the rest. Built once per planning step; each candidate then only walks the devices something runs on.
struct PreemptionOccupancy {
    /// The jobs running on one worker's GPU (`gpu`), or on its host (nil: its CPU and OpenCL devices), as positions
    /// in `holding` in the order they are held, and the ID the preemption planner knows that device by.
    private struct Group {
        var worker: Int
        var gpu: Int?
        var id: String
        /// Where its jobs lie in `members`.
        var members: Range<Int>
    }

    private let holding: [HeldJob]
    /// Every group's jobs, one group after another: one array for the step, not one per device (tens of thousands).
    private var members: [Int] = []
    /// In ID order, which is the order the preemption planner weighs devices in: handed over sorted, they are not
    /// sorted again for every candidate.
    private var groups: [Group] = []
    /// What the running jobs of each group demand together, by class (beside `groups`, so that sorting and walking
    /// the groups moves no more memory than it has to).
    private var demandByClass: [PerServiceClass<ResourceDemand>] = []
    /// Each group's jobs as the preemption planner sees them, made the first time a candidate weighs the group: a
    /// step files a hundred thousand running jobs and weighs the devices of a few of them.
    private var runningByGroup: [[RunningJob]?] = []

    /// - Parameter holding: every job that holds resources; only those running (and not past their transcode) on a
    ///   worker of `fleet` can be preempted, so only they are filed.
    init(holding: [HeldJob], fleet: FleetSnapshot) {
        self.holding = holding
        // Each filed job's group, found by its worker's index (a worker has few devices, chained from
        // `firstGroupOf` through `nextGroupOfWorker`): one lookup of its worker per running job, no hash of its
        // device, and no array per worker or per device.
        var firstGroupOf = [Int](repeating: -1, count: fleet.workers.count)
        var nextGroupOfWorker: [Int] = []
        var filed: [(job: Int, group: Int)] = []
        var sizes: [Int] = []
        var demands: [PerServiceClass<ResourceDemand>] = []
        // Through a pointer, and the placement read field by field: a job or placement copied out of the array
        // retained its IDs, a hundred thousand a step.
        holding.withUnsafeBufferPointer { holding in
            for index in holding.indices {
                let job = holding.baseAddress! + index
                guard job.pointee.isRunning, !job.pointee.isPastTranscode, job.pointee.placement != nil,
                    let w = fleet.index(of: job.pointee.placement!.worker, hint: job.pointee.workerIndexHint)
                else { continue }
                let gpu = job.pointee.placement!.gpu
                var group = firstGroupOf[w]
                while group >= 0 && groups[group].gpu != gpu { group = nextGroupOfWorker[group] }
                if group < 0 {
                    group = groups.count
                    nextGroupOfWorker.append(firstGroupOf[w])
                    firstGroupOf[w] = group
                    groups.append(
                        Group(
                            worker: w, gpu: gpu,
                            id: job.pointee.placement!.worker.rawValue + "/" + (gpu.map(String.init) ?? "host"),
                            members: 0..<0))
                    sizes.append(0)
                    demands.append(PerServiceClass(ResourceDemand.zero))
                }
                filed.append((index, group))
                sizes[group] += 1
                let serviceClass = job.pointee.serviceClass
                demands[group][serviceClass] = demands[group][serviceClass] + job.pointee.placement!.demand
            }
        }
        let order = groups.indices.sorted { groups[$0].id < groups[$1].id }
        // Members laid out in the groups' ID order, each group's in the order its jobs are held.
        var position = [Int](repeating: 0, count: groups.count)
        var next = 0
        for group in order {
            position[group] = next
            groups[group].members = next..<(next + sizes[group])
            next += sizes[group]
        }
        members = [Int](repeating: 0, count: next)
        for (job, group) in filed {
            members[position[group]] = job
            position[group] += 1
        }
        groups = order.map { groups[$0] }
        demandByClass = order.map { demands[$0] }
        runningByGroup = Array(repeating: nil, count: groups.count)
    }

    /// The jobs of `group`, as the preemption planner weighs them.
    private mutating func running(_ group: Int) -> [RunningJob] {
        if let known = runningByGroup[group] { return known }
        let running = members[groups[group].members].map { index in
            let job = holding[index]
            let placement = job.placement!
            return RunningJob(
                id: job.id, tenant: job.tenant, serviceClass: job.serviceClass, priority: job.priority,
                demand: placement.demand, startedAt: job.startedAt ?? placement.placedAt, evictions: job.evictions,
                lastEvictedAt: job.lastEvictedAt)
        }
        runningByGroup[group] = running
        for job in running { groupOfHandedOut[job.id] = group }
        return running
    }

    /// The group of each job handed to the preemption planner so far this step: the only jobs it can name as
    /// victims, so the groups an eviction touched are found without a walk over every group's members.
    private var groupOfHandedOut: [JobID: Int] = [:]

    /// Per group, whether one of `evicted` runs there; nil when one of them was never handed out (then every
    /// group must be looked at).
    private func groupsTouched(by evicted: Set<JobID>) -> [Bool]? {
        var touched = [Bool](repeating: false, count: groups.count)
        for job in evicted {
            guard let group = groupOfHandedOut[job] else { return nil }
            touched[group] = true
        }
        return touched
    }

    var isEmpty: Bool { groups.isEmpty }

    /// One eligible device as first found: its group and what is free there.
    private struct Seen {
        var group: Int
        var free: ResourceDemand
    }

    /// The devices `request` could run on once something is evicted there, and its demand on them (nil: no such
    /// device), leaving out jobs already `evicted` this step. A device nothing runs on is left out: had it room, the
    /// job would have been placed there; with no room and nothing to evict it can offer nothing.
    ///
    /// Of the devices of the chosen path, only those the preemption planner would weigh are returned: those with
    /// room for the job now, or once every job of a class in `lowerClasses` (the classes strictly below the
    /// request's) is gone. The planner refuses on the first roomy device and looks for victims only on the others
    /// of these, so its decision is the same as over every device; a large fleet's planner no longer builds, and
    /// walks the jobs of, ten thousand devices for each waiting job it weighs.
    ///
    /// `weighedOnly: false` returns every device of the path, as before that filter: the tests compare both.
    /// `fleet` must be the snapshot the occupancy was built from: what each scope may use is worked out once.
    mutating func devices(
        for request: PlacementRequest, lowerClasses: [ServiceClass], fleet: FleetSnapshot, evicted: Set<JobID>,
        estimator: ResourceEstimator, weighedOnly: Bool = true
    ) -> (devices: [DeviceOccupancy], demand: ResourceDemand)? {
        // The preemption planner weighs one demand against every device, so it gets the devices of one path: the
        // path most of the eligible occupied devices offer the job (an `auto` job runs on CPUs in a CPU pool and on
        // NVENC on most GPUs; assuming NVENC left CPU pools with nothing to preempt).
        let scope = Scope(pool: request.pool, acceleration: request.acceleration)
        let eligible: [[Seen]]
        if let known = eligibleByScope[scope] {
            eligible = known
        } else {
            eligible = Self.eligible(groups, for: scope, fleet: fleet)
            eligibleByScope[scope] = eligible
        }
        var byPath = eligible
        // Groups none of whose jobs is evicted are weighed as before any eviction (the usual case: a step evicts
        // on a few devices of thousands); nil: every group as it is after the evictions.
        let touched = evicted.isEmpty ? nil : groupsTouched(by: evicted)
        if !evicted.isEmpty {
            // A device all of whose jobs are already evicted this step has nothing left to offer.
            let (groups, members, holding) = (self.groups, self.members, self.holding)
            let emptied = { (seen: Seen) -> Bool in
                if let touched, !touched[seen.group] { return false }
                return !members[groups[seen.group].members].contains { !evicted.contains(holding[$0].id) }
            }
            for path in byPath.indices where byPath[path].contains(where: emptied) {
                byPath[path].removeAll(where: emptied)
            }
        }
        // Most devices first; on a tie the earlier of `DevicePath`'s cases, so the choice never depends on hashing.
        guard
            let best = byPath.indices.max(by: { a, b in
                byPath[a].count != byPath[b].count ? byPath[a].count < byPath[b].count : a > b
            }), !byPath[best].isEmpty
        else { return nil }
        let demand = estimator.demand(for: request, on: DevicePath.allCases[best])
        // Before any eviction, candidates alike in scope, demand and the classes below them are handed the same
        // devices: worked out once a step, not once per candidate (a step weighs hundreds of them).
        let key = WeighedKey(scope: scope, lowerClasses: lowerClasses, demand: demand, weighedOnly: weighedOnly)
        if evicted.isEmpty, let known = weighedByKey[key] { return (known, demand) }
        var weighed: [DeviceOccupancy] = []
        for seen in byPath[best] {
            var lowerTotal = ResourceDemand.zero
            if evicted.isEmpty || touched.map({ !$0[seen.group] }) == true {
                for serviceClass in lowerClasses {
                    lowerTotal = lowerTotal + demandByClass[seen.group][serviceClass]
                }
                guard !weighedOnly || demand.fits(in: seen.free + lowerTotal) else { continue }
                weighed.append(
                    DeviceOccupancy(id: groups[seen.group].id, free: seen.free, running: running(seen.group)))
                continue
            }
            var remaining = running(seen.group)
            remaining.removeAll { evicted.contains($0.id) }
            for job in remaining where lowerClasses.contains(job.serviceClass) {
                lowerTotal = lowerTotal + job.demand
            }
            guard !weighedOnly || demand.fits(in: seen.free + lowerTotal) else { continue }
            weighed.append(DeviceOccupancy(id: groups[seen.group].id, free: seen.free, running: remaining))
        }
        if evicted.isEmpty { weighedByKey[key] = weighed }
        return (weighed, demand)
    }

    private struct WeighedKey: Hashable {
        var scope: Scope
        var lowerClasses: [ServiceClass]
        var demand: ResourceDemand
        var weighedOnly: Bool
    }

    /// The devices handed over before any eviction, by what decides them.
    private var weighedByKey: [WeighedKey: [DeviceOccupancy]] = [:]

    /// The jobs a request may look at: its pool (or the workers that take unpinned jobs) and its acceleration.
    private struct Scope: Hashable {
        var pool: String?
        var acceleration: Acceleration
    }

    /// Per scope, the occupied devices a request of that scope could run on, by path, in group order: the same for
    /// every candidate of the step with that scope (the fleet does not change while preemptions are planned), so it
    /// is worked out once per scope rather than by a walk over the fleet's devices for each candidate.
    private var eligibleByScope: [Scope: [[Seen]]] = [:]

    private static func eligible(_ groups: [Group], for scope: Scope, fleet: FleetSnapshot) -> [[Seen]] {
        var byPath = [[Seen]](repeating: [], count: DevicePath.allCases.count)
        // Through a pointer: copying each worker (and its devices) out of the fleet retained all they hold.
        fleet.workers.withUnsafeBufferPointer { workers in
            for group in groups.indices {
                let worker = workers.baseAddress! + groups[group].worker
                guard worker.pointee.accepting else { continue }
                if let pool = scope.pool, pool != worker.pointee.pool { continue }
                if scope.pool == nil && !worker.pointee.acceptsUnpinned { continue }
                worker.pointee.devices.withUnsafeBufferPointer { devices in
                    for device in devices.indices {
                        let device = devices.baseAddress! + device
                        guard device.pointee.gpuIndex == groups[group].gpu, device.pointee.fencedReason == nil,
                            let path = device.pointee.path(for: scope.acceleration)
                        else { continue }
                        let free = ResourceDemand(
                            gpuMemoryMiB: device.pointee.memoryFigures.freeMiB,
                            encoderSessions: device.pointee.encoderSessions.free,
                            decoderSessions: device.pointee.decoderSessions.free,
                            slots: max(0, worker.pointee.slots - worker.pointee.assigned))
                        byPath[Self.position(of: path)].append(Seen(group: group, free: free))
                    }
                }
            }
        }
        return byPath
    }

    private static func position(of path: DevicePath) -> Int { DevicePath.allCases.firstIndex(of: path)! }
}
