import Logging
import ServiceLifecycle
import SpoolCore

/// The loop both wake-list listeners run (`PlacementWakeups` for a worker, `SchedulerWakeUps` for the leader): wait on
/// the list with BLPOP, on a connection of its own, and notify `signal` for each token, until graceful shutdown.
/// Cancelling the wait closes its connection, which ends the block on the server at once. While `listening` is false
/// the list is left alone (another process takes its tokens), looked at again each second.
func listenForWakeUps(
    notifying signal: WorkSignal, listening: @escaping @Sendable () -> Bool = { true }, logger: Logger, what: String,
    wait: @escaping @Sendable () async throws -> Bool
) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do {
                guard listening() else {
                    try await Task.sleep(for: .seconds(1))
                    continue
                }
                if try await wait() { signal.notify() }
            } catch is CancellationError {
                return
            } catch {
                // Redis away: the loops this wakes still run on their own interval; wait a little before listening
                // again.
                logger.debug("cannot wait for \(what)", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
