import Logging
import ServiceLifecycle
import SpoolCore

/// A worker process's ear for its placements: waits on the worker's wake list in Redis (BLPOP on a connection of its
/// own) and wakes the worker's idle slots when the leader placed something on it. Without it a placed job waits for
/// the next poll of a slot (a quarter of a second), which bounded a worker's throughput at slots × 4 jobs/s.
public struct PlacementWakeups: Service {
    let store: RedisJobStore
    let worker: WorkerID
    let signal: WorkSignal
    let logger: Logger

    public init(store: RedisJobStore, worker: WorkerID, signal: WorkSignal, logger: Logger) {
        self.store = store
        self.worker = worker
        self.signal = signal
        self.logger = logger
    }

    public func run() async throws {
        // A worker that misses a token still polls its slots.
        await listenForWakeUps(notifying: signal, logger: logger, what: "placements") {
            try await store.waitForPlacement(on: worker, seconds: 2)
        }
    }
}
