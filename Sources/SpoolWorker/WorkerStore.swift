import SpoolCore

/// The store roles a worker plays: it registers, claims jobs and keeps their leases, reads and transitions its jobs,
/// charges its tenant's usage, and (to warm inputs) looks at what waits.
public typealias WorkerStore = ClaimQueue & JobReading & JobTransitions & WorkerRegistry & PlacementStore & TenantStore & JobSubmissions
