import GPUMemoryLedger
import SpoolCore
import SpoolDispatch

/// Translates a fleet snapshot into what the preemption planner reasons about: for each device the waiting job
/// could run on (its pool, acceleration and health allow it), what is free there and which jobs hold the rest.
enum PreemptionOccupancy {
    static func devices(
        for request: PlacementRequest, fleet: FleetSnapshot, running: [HeldJob], estimator: ResourceEstimator
    ) -> (devices: [DeviceOccupancy], demand: ResourceDemand) {
        // One demand for all devices: the path most devices of the job's kind offer.
        let path: DevicePath = request.acceleration == .cpu ? .cpu : .nvenc
        let demand = estimator.demand(for: request, on: path)
        var byDevice: [String: [RunningJob]] = [:]
        for job in running {
            guard let placement = job.placement else { continue }
            byDevice[key(placement.worker, placement.gpu), default: []].append(
                RunningJob(
                    id: job.id, tenant: job.tenant, serviceClass: job.serviceClass,
                    priority: job.priority, demand: placement.demand,
                    startedAt: job.startedAt ?? placement.placedAt,
                    evictions: job.evictions, lastEvictedAt: job.lastEvictedAt))
        }
        var devices: [DeviceOccupancy] = []
        for worker in fleet.workers where worker.accepting {
            if let pool = request.pool, pool != worker.pool { continue }
            if request.pool == nil && !worker.acceptsUnpinned { continue }
            for device in worker.devices
            where device.fencedReason == nil && device.path(for: request.acceleration) == path {
                let free = ResourceDemand(
                    gpuMemoryMiB: device.memory.freeMiB, encoderSessions: device.encoderSessions.free,
                    decoderSessions: device.decoderSessions.free, slots: max(0, worker.slots - worker.assigned))
                let id = key(worker.id, device.gpuIndex)
                devices.append(DeviceOccupancy(id: id, free: free, running: byDevice[id] ?? []))
            }
        }
        return (devices, demand)
    }

    static func key(_ worker: WorkerID, _ gpu: Int?) -> String {
        worker.rawValue + "/" + (gpu.map(String.init) ?? "host")
    }
}
