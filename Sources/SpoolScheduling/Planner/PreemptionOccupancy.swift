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
                    let w = fleet.workerIndex[worker], let placement = job.pointee.placement
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
    }

    var isEmpty: Bool { groups.isEmpty }

    /// The devices `request` could run on once something is evicted there, and its demand on them (nil: no such
    /// device), leaving out jobs already `evicted` this step. A device nothing runs on is left out: had it room, the
    /// job would have been placed there; with no room and nothing to evict it can offer nothing.
    func devices(
        for request: PlacementRequest, fleet: FleetSnapshot, evicted: Set<JobID>, estimator: ResourceEstimator
    ) -> (devices: [DeviceOccupancy], demand: ResourceDemand)? {
        // The preemption planner weighs one demand against every device, so it gets the devices of one path: the
        // path most of the eligible occupied devices offer the job (an `auto` job runs on CPUs in a CPU pool and on
        // NVENC on most GPUs; assuming NVENC left CPU pools with nothing to preempt).
        var byPath = [[DeviceOccupancy]](repeating: [], count: DevicePath.allCases.count)
        // Through a pointer: copying each worker (and its devices) out of the fleet retained all they hold.
        fleet.workers.withUnsafeBufferPointer { workers in
            for group in groups {
                let worker = workers.baseAddress! + group.worker
                guard worker.pointee.accepting else { continue }
                if let pool = request.pool, pool != worker.pointee.pool { continue }
                if request.pool == nil && !worker.pointee.acceptsUnpinned { continue }
                var running = group.running
                if !evicted.isEmpty { running.removeAll { evicted.contains($0.id) } }
                guard !running.isEmpty else { continue }
                worker.pointee.devices.withUnsafeBufferPointer { devices in
                    for device in devices.indices {
                        let device = devices.baseAddress! + device
                        guard device.pointee.gpuIndex == group.gpu, device.pointee.fencedReason == nil,
                            let path = device.pointee.path(for: request.acceleration)
                        else { continue }
                        let free = ResourceDemand(
                            gpuMemoryMiB: device.pointee.memoryFigures.freeMiB,
                            encoderSessions: device.pointee.encoderSessions.free,
                            decoderSessions: device.pointee.decoderSessions.free,
                            slots: max(0, worker.pointee.slots - worker.pointee.assigned))
                        byPath[Self.position(of: path)].append(
                            DeviceOccupancy(id: group.id, free: free, running: running))
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
        return (byPath[best], estimator.demand(for: request, on: DevicePath.allCases[best]))
    }

    private static func position(of path: DevicePath) -> Int { DevicePath.allCases.firstIndex(of: path)! }
}
