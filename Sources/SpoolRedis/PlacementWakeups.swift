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
        // Cancelling the wait closes its connection, which ends the block on the server at once.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await store.waitForPlacement(on: worker, seconds: 2) { signal.notify() }
                } catch is CancellationError {
                    return
                } catch {
                    // Redis away: the slots still poll; wait a little before listening again.
                    logger.debug("cannot wait for placements", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}
