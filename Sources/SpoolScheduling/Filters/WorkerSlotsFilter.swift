/// Each job holds one of its worker's slots, placed or running.
public struct WorkerSlotsFilter: FilterPlugin {
    public let name = "worker_slots"
    public init() {}

    public func filter(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> FilterRefusal? {
        worker.assigned + context.demand.slots <= worker.slots
            ? nil : .workerFull(assigned: worker.assigned, slots: worker.slots)
    }
}
