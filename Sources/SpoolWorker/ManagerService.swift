import Foundation
import Logging
import ServiceLifecycle
import SpoolCore

/// `spool manager`: among several managers one leads (a lease with a fencing token) and does the cluster-wide
/// housekeeping: requeue jobs whose lease ran out or whose worker stopped heartbeating, drop dead workers from the
/// registry, sweep attempts that can no longer commit. The others wait and take over when the lease lapses.
public struct ManagerService<C: Clock>: Service where C.Duration == Duration {
    let election: any LeaderElection
    let store: any JobStore
    let janitor: AttemptJanitor
    let candidate: String
    let leaseTTL: Duration
    /// A worker whose registry entry is older than this is dead.
    let workerTimeout: Duration
    let clock: C
    let logger: Logger
    let onLeadershipChange: @Sendable (Int?) -> Void

    public init(
        election: any LeaderElection, store: any JobStore, layout: DataLayout, candidate: String,
        leaseTTL: Duration = .seconds(6), workerTimeout: Duration = .seconds(15), clock: C, logger: Logger,
        onLeadershipChange: @escaping @Sendable (Int?) -> Void = { _ in }
    ) {
        self.election = election
        self.store = store
        self.janitor = AttemptJanitor(store: store, layout: layout, logger: logger)
        self.candidate = candidate
        self.leaseTTL = leaseTTL
        self.workerTimeout = workerTimeout
        self.clock = clock
        self.logger = logger
        self.onLeadershipChange = onLeadershipChange
    }

    public func run() async throws {
        var token: Int?
        // Renew at a third of the lease, so two missed renewals still leave the lease held.
        let tick = leaseTTL / 3
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let previous = token
            do {
                token = try await election.acquireOrRenew(candidate: candidate, ttl: leaseTTL)
            } catch {
                // Without the store nobody can prove leadership; stop acting as leader until it answers again.
                logger.warning("leader lease unreachable", metadata: ["error": "\(error)"])
                token = nil
            }
            if token != previous {
                logger.notice(
                    token == nil ? "not leading" : "leading",
                    metadata: ["candidate": "\(candidate)", "token": "\(token ?? 0)"])
                onLeadershipChange(token)
            }
            if token != nil { await houseKeeping() }
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: tick) }
            } catch {
                break
            }
        }
        if token != nil {
            try? await election.release(candidate: candidate)
            logger.notice("released the leader lease", metadata: ["candidate": "\(candidate)"])
        }
    }

    func houseKeeping() async {
        do {
            let now = Date()
            let dead = try await store.workers().filter {
                now.timeIntervalSince($0.heartbeatAt) > workerTimeout.seconds
            }
            let transitions = try await store.recoverLeases(now: now, deadWorkers: Set(dead.map(\.id)))
            for worker in dead {
                try await store.removeWorker(worker.id)
                logger.notice("worker stopped heartbeating; removed", metadata: ["worker": "\(worker.id)"])
            }
            for transition in transitions {
                logger.notice(
                    "job requeued after its worker was lost",
                    metadata: ["job": "\(transition.job.id)", "state": "\(transition.job.state.rawValue)"])
            }
            if !transitions.isEmpty { _ = try await janitor.sweep(staleUploadAge: 24 * 3600) }
        } catch {
            logger.warning("housekeeping failed", metadata: ["error": "\(error)"])
        }
    }
}
