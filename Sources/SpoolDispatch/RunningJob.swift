import Foundation
import SpoolCore

/// A job holding resources on a device, as preemption sees it.
public struct RunningJob: Sendable, Equatable, Hashable {
    public var id: JobID
    public var tenant: TenantID
    public var serviceClass: ServiceClass
    public var priority: Int
    public var demand: ResourceDemand
    public var startedAt: Date
    /// How often this job has been evicted so far (`EvictionHistory.annotated` fills this in).
    public var evictions: Int
    public var lastEvictedAt: Date?

    public init(
        id: JobID, tenant: TenantID = .default, serviceClass: ServiceClass, priority: Int = 50,
        demand: ResourceDemand, startedAt: Date, evictions: Int = 0, lastEvictedAt: Date? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.serviceClass = serviceClass
        self.priority = priority
        self.demand = demand
        self.startedAt = startedAt
        self.evictions = evictions
        self.lastEvictedAt = lastEvictedAt
    }

    public func protectedUntil(_ settings: PreemptionSettings) -> Date? {
        settings.protectedUntil(evictions: evictions, lastEvictedAt: lastEvictedAt)
    }

    public func isProtected(at now: Date, settings: PreemptionSettings) -> Bool {
        settings.isProtected(evictions: evictions, lastEvictedAt: lastEvictedAt, at: now)
    }
}
