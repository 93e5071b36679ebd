import Logging
import ServiceLifecycle
import SpoolCore

/// The leading scheduler's ear for news from other processes: waits on the scheduler's wake list in Redis (BLPOP on
/// a connection of its own) and wakes the placement cycle when a gateway or a worker left a token there
/// (`SchedulerWakeUpRelay`). Without it a job submitted to a gateway, or a slot a worker freed, waits for the next
/// cycle of the interval (200 ms): at 64 slots a worker took at most 320 no-op jobs a second (bench/queue).
/// Only the leader listens, so a standby manager does not take the token from it.
public struct SchedulerWakeUps: Service {
    let store: RedisJobStore
    let signal: WorkSignal
    let isLeading: @Sendable () -> Bool
    let logger: Logger

    public init(store: RedisJobStore, signal: WorkSignal, isLeading: @escaping @Sendable () -> Bool, logger: Logger) {
        self.store = store
        self.signal = signal
        self.isLeading = isLeading
        self.logger = logger
    }

    public func run() async throws {
        await listenForWakeUps(notifying: signal, listening: isLeading, logger: logger, what: "scheduler wake-ups") {
            try await store.waitForSchedulerWakeUp(seconds: 2)
        }
    }
}
