import Logging
import ServiceLifecycle
import SpoolCore

/// What a periodic body asks for next.
public enum PeriodicPace: Sendable, Equatable {
    /// Sleep for the interval (or until woken) before the next run.
    case wait
    /// Run again at once: there is more to do.
    case again
}

/// The one loop every control-plane service runs: call `body`, then sleep for `interval` on `clock` (or less, when
/// `wakeUp` is notified), until graceful shutdown or cancellation. An error `body` throws is logged and the loop goes
/// on at the next tick. With `waitFirst`, the first run comes after one interval.
public func runPeriodically<C: Clock>(
    every interval: Duration, clock: C, wakeUp: WorkSignal? = nil, waitFirst: Bool = false, logger: Logger,
    failure: Logger.Message = "periodic work failed; retrying", _ body: () async throws -> PeriodicPace
) async where C.Duration == Duration {
    if waitFirst { await idle(for: interval, clock: clock, wakeUp: wakeUp) }
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        var pace = PeriodicPace.wait
        do {
            pace = try await body()
        } catch {
            logger.warning(failure, metadata: ["error": "\(error)"])
        }
        if pace == .wait { await idle(for: interval, clock: clock, wakeUp: wakeUp) }
    }
}

/// Sleeps for `interval`, or until `wakeUp` is notified, graceful shutdown begins or the task is cancelled.
func idle<C: Clock>(for interval: Duration, clock: C, wakeUp: WorkSignal?) async where C.Duration == Duration {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { try? await clock.sleep(for: interval) }
        if let wakeUp { group.addTask { await wakeUp.wait() } }
        group.addTask { try? await gracefulShutdown() }
        await group.next()
        group.cancelAll()
    }
}
