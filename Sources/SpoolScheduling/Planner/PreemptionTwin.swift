import SpoolCore

/// What makes two waiting jobs ask the preemption planner the same question: the victims one may evict, the devices
/// it may run on and what it needs there. Tenants do not enter into it: victims are chosen by class and priority.
struct PreemptionTwin: Hashable {
    var serviceClass: ServiceClass
    var priority: Int
    var pool: String?
    var acceleration: Acceleration
    var shape: WorkloadShape
    var estimateKey: String

    init(_ request: PlacementRequest) {
        serviceClass = request.serviceClass
        priority = request.priority
        pool = request.pool
        acceleration = request.acceleration
        shape = request.shape
        estimateKey = request.estimateKey
    }
}
