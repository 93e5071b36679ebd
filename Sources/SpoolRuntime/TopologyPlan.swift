import SpoolControlPlane

/// The ways `spool` runs: everything in one process, or one role of a cluster.
public enum Topology: String, Codable, Sendable, CaseIterable {
    /// `spool serve`: API, scheduler, pool manager, webhooks and local workers in one process.
    case serve
    /// `spool gateway`: the stateless API only.
    case gateway
    /// `spool manager`: scheduler, pool manager, webhooks and housekeeping, while it leads.
    case manager
    /// `spool worker`: one pool's worker.
    case worker
}

/// Which services a process of a topology runs and how its control plane is led: decided here, as a value, so the
/// rules ("alone on SQLite it always leads; on Redis only while it holds the lease"; "housekeeping on the leader")
/// are in one place and tested without starting anything. The commands build exactly these services.
public struct TopologyPlan: Sendable, Equatable {
    public enum Leadership: Sendable, Equatable {
        /// No control-plane services at all.
        case none
        /// The only node (embedded, on SQLite): it always leads.
        case alone
        /// One of many: it leads while it holds the store's leader lease.
        case lease(candidatePrefix: String)
    }

    public var leadership: Leadership
    public var servesAPI: Bool
    public var runsWorkers: Bool
    /// The placement service, the pool manager and the webhook sender (all leader-only inside).
    public var runsControlPlane: Bool
    /// Lease recovery and sweeps while running, and how often; nil where the process keeps no house.
    public var housekeeper: Housekeeper?
    public var housekeepingInterval: Duration?
    /// An embedded server is the only node: every worker an earlier run registered died with it, so it recovers
    /// their jobs and attempts before it starts.
    public var recoversAtStart: Bool

    /// - Parameters:
    ///   - clustered: the store is shared (Redis), so several processes may run and one must lead.
    ///   - leaseRenewal: how often a lease holder renews; housekeeping runs at the same pace.
    public static func of(
        _ topology: Topology, clustered: Bool, workerTimeout: Duration = .seconds(15),
        leaseRenewal: Duration = .seconds(2)
    ) -> TopologyPlan {
        switch topology {
        case .gateway:
            return TopologyPlan(
                leadership: .none, servesAPI: true, runsWorkers: false, runsControlPlane: false, housekeeper: nil,
                housekeepingInterval: nil, recoversAtStart: false)
        case .worker:
            return TopologyPlan(
                leadership: .none, servesAPI: false, runsWorkers: true, runsControlPlane: false, housekeeper: nil,
                housekeepingInterval: nil, recoversAtStart: false)
        case .manager:
            return TopologyPlan(
                leadership: .lease(candidatePrefix: "manager"), servesAPI: false, runsWorkers: false,
                runsControlPlane: true, housekeeper: .cluster(workerTimeout: workerTimeout),
                housekeepingInterval: leaseRenewal, recoversAtStart: false)
        case .serve where clustered:
            return TopologyPlan(
                leadership: .lease(candidatePrefix: "serve"), servesAPI: true, runsWorkers: true,
                runsControlPlane: true, housekeeper: .cluster(workerTimeout: workerTimeout),
                housekeepingInterval: leaseRenewal, recoversAtStart: false)
        case .serve:
            // Leases that run out (a worker stuck past its lease) are recovered every few seconds.
            return TopologyPlan(
                leadership: .alone, servesAPI: true, runsWorkers: true, runsControlPlane: true,
                housekeeper: .embedded, housekeepingInterval: .seconds(5), recoversAtStart: true)
        }
    }
}
