import SpoolCore

/// The store roles the scheduler plays: it reads waiting and holding jobs, workers, pools and tenants' caps, and
/// writes placements, explanations and the transitions of a plan (withdrawals, preemptions, degradations).
public typealias SchedulerStore = PlacementStore & JobTransitions & WorkerRegistry & TenantStore & PoolStore
