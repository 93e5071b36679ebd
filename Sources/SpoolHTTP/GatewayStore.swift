import SpoolCore

/// The store roles the HTTP API plays: everything a client may ask of jobs, pools, tenants, sessions and webhook
/// deliveries, and readiness. It never claims jobs, recovers leases or places.
public typealias GatewayStore = JobReading & JobSubmissions & JobTransitions & PlacementStore & WorkerRegistry
    & StoreHealth & PoolStore & TenantStore & SessionStore & WebhookOutbox
