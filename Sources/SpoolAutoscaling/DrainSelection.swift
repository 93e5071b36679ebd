/// Which idle workers to release first: the most expensive, then the newest (whose caches are the coldest and
/// whose loss breaks the least), then by id so the choice is reproducible.
enum DrainSelection {
    static func choose(_ count: Int, from workers: [PoolWorker], excluding draining: Set<String>) -> [String] {
        guard count > 0 else { return [] }
        return
            workers
            .filter { $0.isIdle && !draining.contains($0.id) }
            .sorted { lhs, rhs in
                if lhs.hourlyPrice != rhs.hourlyPrice { return lhs.hourlyPrice > rhs.hourlyPrice }
                if lhs.startedAt != rhs.startedAt { return lhs.startedAt > rhs.startedAt }
                return lhs.id < rhs.id
            }
            .prefix(count)
            .map(\.id)
    }
}
