/// A job pinned to a pool runs only there; an unpinned job only on workers that accept unpinned work.
public struct PoolConstraintFilter: FilterPlugin {
    public var name: String { "pool" }
    public init() {}

    public func filter(_ context: CandidateContext, _ candidate: Candidate) -> FilterRefusal? {
        if let wanted = context.request.pool {
            return wanted == candidate.worker.pool ? nil : .otherPool(wanted: wanted, has: candidate.worker.pool)
        }
        return candidate.worker.acceptsUnpinned ? nil : .unpinnedNotAccepted
    }
}
