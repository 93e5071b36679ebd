/// Each job holds one of its worker's slots, placed or running.
public struct WorkerSlotsFilter: FilterPlugin {
    public var name: String { "worker_slots" }
    public init() {}

    public func filter(_ context: CandidateContext, _ candidate: Candidate) -> FilterRefusal? {
        candidate.worker.assigned + context.demand.slots <= candidate.worker.slots
            ? nil : .workerFull(assigned: candidate.worker.assigned, slots: candidate.worker.slots)
    }
}
