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
/// and the loop goes on at the next tick. With `waitFirst`, the first run comes after one interval. A wake-up starts
/// its run no sooner than `wakeGap` after the last run a wake-up started, so that news arriving steadily (a slot
/// freed every few milliseconds) is taken in batches rather than one run each; runs of the interval do not count, so
/// news that comes just after one is not held back.
public func runPeriodically<C: Clock>(
    every interval: Duration, clock: C, wakeUp: WorkSignal? = nil, wakeGap: Duration = .zero, waitFirst: Bool = false,
    lifetime: PeriodicLifetime = .untilShutdown, logger: Logger,
    failure: Logger.Message = "periodic work failed; retrying", _ body: () async throws -> PeriodicPace
) async where C.Duration == Duration {
    var alive: Bool {
        !Task.isCancelled && (lifetime == .untilCancelled || !Task.isShuttingDownGracefully)
    }
    if waitFirst { await idle(for: interval, clock: clock, wakeUp: wakeUp, lifetime: lifetime) }
    var latestWokenRun: C.Instant? = nil
    var woken = false
    while alive {
        if woken { latestWokenRun = clock.now }
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
        case .again: woken = false
        case .wait:
            woken = await idle(for: interval, clock: clock, wakeUp: wakeUp, lifetime: lifetime) == .woken
            if woken, wakeGap > .zero, alive, let latestWokenRun, clock.now < latestWokenRun.advanced(by: wakeGap) {
                try? await clock.sleep(until: latestWokenRun.advanced(by: wakeGap), tolerance: nil)
            }
        }
    }
}

/// What ended an idle wait.
enum IdleEnd: Sendable, Equatable {
    case interval
    case woken
    /// Cancelled, or graceful shutdown began.
    case stopped
}

/// Sleeps for `interval`, or until `wakeUp` is notified, the task is cancelled or (for loops that end with it)
/// graceful shutdown begins.
@discardableResult
func idle<C: Clock>(for interval: Duration, clock: C, wakeUp: WorkSignal?, lifetime: PeriodicLifetime) async -> IdleEnd
where C.Duration == Duration {
    await withTaskGroup(of: IdleEnd.self) { group in
        group.addTask { (try? await clock.sleep(for: interval)) == nil ? .stopped : .interval }
        if let wakeUp {
            group.addTask {
                await wakeUp.wait()
                return Task.isCancelled ? .stopped : .woken
            }
        }
        if lifetime == .untilShutdown {
            group.addTask {
                try? await gracefulShutdown()
                return .stopped
            }
        }
        let end = await group.next() ?? .stopped
        group.cancelAll()
        return end
    }
}
