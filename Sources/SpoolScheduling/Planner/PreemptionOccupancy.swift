import GPUMemoryLedger
import SpoolCore
import SpoolDispatch

/// Translates a fleet snapshot into what the preemption planner reasons about: for each device the waiting job
/// could run on (its pool, acceleration and health allow it) and some job runs on, what is free there and which jobs
/// hold the rest. Built once per planning step; each candidate then only walks the fleet.
struct PreemptionOccupancy {
    struct DeviceKey: Hashable {
        var worker: WorkerID
        var gpu: Int?
    }

    private var byDevice: [DeviceKey: [RunningJob]] = [:]

    init(running: [HeldJob]) {
        for job in running {
            guard let placement = job.placement else { continue }
            byDevice[DeviceKey(worker: placement.worker, gpu: placement.gpu), default: []].append(
                RunningJob(
                    id: job.id, tenant: job.tenant, serviceClass: job.serviceClass, priority: job.priority,
                    demand: placement.demand, startedAt: job.startedAt ?? placement.placedAt,
                    evictions: job.evictions, lastEvictedAt: job.lastEvictedAt))
        }
    }

    var isEmpty: Bool { byDevice.isEmpty }

    /// The devices `request` could run on once something is evicted there, and its demand on them (nil: no such
    /// device), leaving out jobs already `evicted` this step. A device nothing runs on is left out: had it room, the
    /// job would have been placed there; with no room and nothing to evict it can offer nothing.
    func devices(
        for request: PlacementRequest, fleet: FleetSnapshot, evicted: Set<JobID>, estimator: ResourceEstimator
    ) -> (devices: [DeviceOccupancy], demand: ResourceDemand)? {
        // The preemption planner weighs one demand against every device, so it gets the devices of one path: the
        // path most of the eligible occupied devices offer the job (an `auto` job runs on CPUs in a CPU pool and on
        // NVENC on most GPUs; assuming NVENC left CPU pools with nothing to preempt).
        var byPath: [DevicePath: [DeviceOccupancy]] = [:]
        for worker in fleet.workers where worker.accepting {
            if let pool = request.pool, pool != worker.pool { continue }
            if request.pool == nil && !worker.acceptsUnpinned { continue }
            for device in worker.devices where device.fencedReason == nil {
                guard let path = device.path(for: request.acceleration),
                    var running = byDevice[DeviceKey(worker: worker.id, gpu: device.gpuIndex)]
                else { continue }
                if !evicted.isEmpty { running.removeAll { evicted.contains($0.id) } }
                guard !running.isEmpty else { continue }
                let free = ResourceDemand(
                    gpuMemoryMiB: device.memory.freeMiB, encoderSessions: device.encoderSessions.free,
                    decoderSessions: device.decoderSessions.free, slots: max(0, worker.slots - worker.assigned))
                byPath[path, default: []].append(
                    DeviceOccupancy(
                        id: worker.id.rawValue + "/" + (device.gpuIndex.map(String.init) ?? "host"), free: free,
                        running: running))
            }
        }
        // Most devices first; on a tie the earlier of `DevicePath`'s cases, so the choice never depends on hashing.
        let rank = { (path: DevicePath) in DevicePath.allCases.firstIndex(of: path) ?? 0 }
        guard
            let (path, devices) = byPath.max(by: { a, b in
                a.value.count != b.value.count ? a.value.count < b.value.count : rank(a.key) > rank(b.key)
            })
        else { return nil }
        return (devices, estimator.demand(for: request, on: path))
    }
}
