import Foundation
import SpoolCore

/// A queued job as dispatch ordering sees it.
public struct WaitingJob: Sendable, Equatable, Hashable {
    public var id: JobID
    public var tenant: TenantID
    public var serviceClass: ServiceClass
    /// 0 (lowest) … 100 (highest), as in `JobSpec`.
    public var priority: Int
    public var enqueuedAt: Date
    /// What the job is charged against its tenant's fair share: estimated GPU-seconds, say. Only weighted fair
    /// sharing reads it.
    public var cost: Double
    /// The caller's own number for the job, handed back unchanged with it: the planner keeps the job's position in
    /// the list it read, rather than finding each ordered job again by hashing its ID.
    public var tag: Int

    public init(
        id: JobID, tenant: TenantID = .default, serviceClass: ServiceClass = .standard, priority: Int = 50,
        enqueuedAt: Date, cost: Double = 1, tag: Int = 0
    ) {
        self.id = id
        self.tenant = tenant
        self.serviceClass = serviceClass
        self.priority = priority
        self.enqueuedAt = enqueuedAt
        self.cost = cost
        self.tag = tag
    }

    /// A cost sharing can charge: negative, NaN or infinite estimates would let a tenant mint credit or never be
    /// served, so they count as one ordinary job.
    var chargeableCost: Double { cost.isFinite && cost >= 0 ? cost : 1 }
}
