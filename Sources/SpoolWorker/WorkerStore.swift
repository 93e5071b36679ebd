import SpoolCore

/// The store roles a worker plays: it registers, claims jobs and keeps their leases, reads and transitions its jobs,
/// charges its tenant's usage, (to warm inputs) looks at what waits, and (planning a segmented job) submits its tasks.
public typealias WorkerStore = ClaimQueue & JobReading & JobTransitions & WorkerRegistry & PlacementStore
    & TenantStore & JobSubmissions
