import Foundation
import Logging
import ServiceLifecycle
import SpoolCore

/// Requeues jobs whose worker stopped heartbeating, and sweeps attempts that can no longer commit.
public struct LeaseReaper<C: Clock>: Service where C.Duration == Duration {
    let store: any JobStore
    let janitor: AttemptJanitor
    let interval: Duration
    let clock: C
    let logger: Logger

    public init(store: any JobStore, layout: DataLayout, interval: Duration = .seconds(5), clock: C, logger: Logger) {
        self.store = store
        self.janitor = AttemptJanitor(store: store, layout: layout, logger: logger)
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let recovered = try await store.recoverLeases(now: Date(), deadWorkers: [])
                for transition in recovered {
                    logger.notice(
                        "lease expired; job requeued",
                        metadata: ["job": "\(transition.job.id)", "state": "\(transition.job.state.rawValue)"])
                }
                if !recovered.isEmpty { _ = try await janitor.sweep(staleUploadAge: 24 * 3600) }
            } catch {
                logger.warning("lease recovery failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
