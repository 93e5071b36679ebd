/// A job pinned to a pool runs only there; an unpinned job only on workers that accept unpinned work.
public struct PoolConstraintFilter: FilterPlugin {
    public let name = "pool"
    public init() {}

    public func filter(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> FilterRefusal? {
        if let wanted = context.request.pool {
            return wanted == worker.pool ? nil : .otherPool(wanted: wanted, has: worker.pool)
        }
        return worker.acceptsUnpinned ? nil : .unpinnedNotAccepted
    }
}
