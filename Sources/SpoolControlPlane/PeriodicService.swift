import Logging
import ServiceLifecycle
import SpoolCore

/// What a periodic body asks for next.
public enum PeriodicPace: Sendable, Equatable {
    /// Sleep for the interval (or until woken) before the next run.
    case wait
    /// Run again at once: there is more to do.
    case again
    /// The loop is over: its work is done for the life of the caller.
    case stop
}

/// How long a periodic loop lives.
public enum PeriodicLifetime: Sendable, Equatable {
    /// Until graceful shutdown begins (or the task is cancelled): control-plane loops, a worker's job-taking slots.
    case untilShutdown
    /// Until the task is cancelled, through graceful shutdown: work that must go on while a process drains (a
    /// worker's registration, which tells the scheduler it drains; heartbeats of the jobs still running).
    case untilCancelled
}

/// The one loop every long-running service runs: call `body`, then sleep for `interval` on `clock` (or less, when
/// `wakeUp` is notified), until the loop's `lifetime` ends or `body` answers `.stop`. An error `body` throws is logged
/// and the loop goes on at the next tick. With `waitFirst`, the first run comes after one interval.
public func runPeriodically<C: Clock>(
    every interval: Duration, clock: C, wakeUp: WorkSignal? = nil, waitFirst: Bool = false,
    lifetime: PeriodicLifetime = .untilShutdown, logger: Logger,
    failure: Logger.Message = "periodic work failed; retrying", _ body: () async throws -> PeriodicPace
) async where C.Duration == Duration {
    var alive: Bool {
        !Task.isCancelled && (lifetime == .untilCancelled || !Task.isShuttingDownGracefully)
    }
    if waitFirst { await idle(for: interval, clock: clock, wakeUp: wakeUp, lifetime: lifetime) }
    while alive {
        var pace = PeriodicPace.wait
        do {
            pace = try await body()
        } catch is CancellationError where Task.isCancelled {
            return
        } catch {
            logger.warning(failure, metadata: ["error": "\(error)"])
        }
        switch pace {
        case .stop: return
        case .again: continue
        case .wait: await idle(for: interval, clock: clock, wakeUp: wakeUp, lifetime: lifetime)
        }
    }
}

/// Sleeps for `interval`, or until `wakeUp` is notified, the task is cancelled or (for loops that end with it)
/// graceful shutdown begins.
func idle<C: Clock>(for interval: Duration, clock: C, wakeUp: WorkSignal?, lifetime: PeriodicLifetime) async
where C.Duration == Duration {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { try? await clock.sleep(for: interval) }
        if let wakeUp { group.addTask { await wakeUp.wait() } }
        if lifetime == .untilShutdown { group.addTask { try? await gracefulShutdown() } }
        await group.next()
        group.cancelAll()
    }
}
