import GPUMemoryLedger
import SpoolCore
import SpoolDispatch

/// Translates a fleet snapshot into what the preemption planner reasons about: for each device the waiting job
/// could run on (its pool, acceleration and health allow it) and some job runs on, what is free there and which jobs
/// hold the rest. Built once per planning step; each candidate then only walks the devices something runs on.
struct PreemptionOccupancy {
    /// The jobs running on one worker's GPU (`gpu`), or on its host (nil: its CPU and OpenCL devices), in the order
    /// they are held, and the ID the preemption planner knows that device by.
    private struct Group {
        var worker: Int
        var gpu: Int?
        var id: String
        var running: [RunningJob]
    }

    /// In ID order, which is the order the preemption planner weighs devices in: handed over sorted, they are not
    /// sorted again for every candidate.
    private var groups: [Group] = []
    /// What the running jobs of each group demand together, by class (beside `groups`, so that sorting and walking
    /// the groups moves no more memory than it has to).
    private var demandByClass: [PerServiceClass<ResourceDemand>] = []

    /// - Parameter holding: every job that holds resources; only those running (and not past their transcode) on a
    ///   worker of `fleet` can be preempted, so only they are filed.
    init(holding: [HeldJob], fleet: FleetSnapshot) {
        // Per worker, its groups (a worker has few devices); filed by index, not by worker ID, so that each running
        // job costs one lookup of its worker instead of a hash of its device per job and candidate.
        var groupsOf = [[Int]](repeating: [], count: fleet.workers.count)
        // Through a pointer: a job copied out of the array retained its IDs and placement, a hundred thousand a step.
        holding.withUnsafeBufferPointer { holding in
            for index in holding.indices {
                let job = holding.baseAddress! + index
                guard job.pointee.isRunning, !job.pointee.isPastTranscode, let worker = job.pointee.placement?.worker,
                    let w = fleet.index(of: worker, hint: job.pointee.workerIndexHint),
                    let placement = job.pointee.placement
                else { continue }
                let running = RunningJob(
                    id: job.pointee.id, tenant: job.pointee.tenant, serviceClass: job.pointee.serviceClass,
                    priority: job.pointee.priority, demand: placement.demand,
                    startedAt: job.pointee.startedAt ?? placement.placedAt, evictions: job.pointee.evictions,
                    lastEvictedAt: job.pointee.lastEvictedAt)
                if let group = groupsOf[w].first(where: { groups[$0].gpu == placement.gpu }) {
                    groups[group].running.append(running)
                } else {
                    groupsOf[w].append(groups.count)
                    groups.append(
                        Group(
                            worker: w, gpu: placement.gpu,
                            id: worker.rawValue + "/" + (placement.gpu.map(String.init) ?? "host"), running: [running]))
                }
            }
        }
        groups.sort { $0.id < $1.id }
        demandByClass = groups.map { group in
            var demands = PerServiceClass(ResourceDemand.zero)
            for job in group.running { demands[job.serviceClass] = demands[job.serviceClass] + job.demand }
            return demands
        }
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
    func devices(
        for request: PlacementRequest, lowerClasses: [ServiceClass], fleet: FleetSnapshot, evicted: Set<JobID>,
        estimator: ResourceEstimator, weighedOnly: Bool = true
    ) -> (devices: [DeviceOccupancy], demand: ResourceDemand)? {
        // The preemption planner weighs one demand against every device, so it gets the devices of one path: the
        // path most of the eligible occupied devices offer the job (an `auto` job runs on CPUs in a CPU pool and on
        // NVENC on most GPUs; assuming NVENC left CPU pools with nothing to preempt).
        var byPath = [[Seen]](repeating: [], count: DevicePath.allCases.count)
        // Through a pointer: copying each worker (and its devices) out of the fleet retained all they hold.
        fleet.workers.withUnsafeBufferPointer { workers in
            for group in groups.indices {
                let worker = workers.baseAddress! + groups[group].worker
                guard worker.pointee.accepting else { continue }
                if let pool = request.pool, pool != worker.pointee.pool { continue }
                if request.pool == nil && !worker.pointee.acceptsUnpinned { continue }
                if !evicted.isEmpty && !groups[group].running.contains(where: { !evicted.contains($0.id) }) {
                    continue
                }
                worker.pointee.devices.withUnsafeBufferPointer { devices in
                    for device in devices.indices {
                        let device = devices.baseAddress! + device
                        guard device.pointee.gpuIndex == groups[group].gpu, device.pointee.fencedReason == nil,
                            let path = device.pointee.path(for: request.acceleration)
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
        // Most devices first; on a tie the earlier of `DevicePath`'s cases, so the choice never depends on hashing.
        guard
            let best = byPath.indices.max(by: { a, b in
                byPath[a].count != byPath[b].count ? byPath[a].count < byPath[b].count : a > b
            }), !byPath[best].isEmpty
        else { return nil }
        let demand = estimator.demand(for: request, on: DevicePath.allCases[best])
        var weighed: [DeviceOccupancy] = []
        for seen in byPath[best] {
            var running = groups[seen.group].running
            var lowerTotal = ResourceDemand.zero
            if evicted.isEmpty {
                for serviceClass in lowerClasses {
                    lowerTotal = lowerTotal + demandByClass[seen.group][serviceClass]
                }
            } else {
                running.removeAll { evicted.contains($0.id) }
                for job in running where lowerClasses.contains(job.serviceClass) {
                    lowerTotal = lowerTotal + job.demand
                }
            }
            guard !weighedOnly || demand.fits(in: seen.free + lowerTotal) else { continue }
            weighed.append(DeviceOccupancy(id: groups[seen.group].id, free: seen.free, running: running))
        }
        return (weighed, demand)
    }

    private static func position(of path: DevicePath) -> Int { DevicePath.allCases.firstIndex(of: path)! }
}
