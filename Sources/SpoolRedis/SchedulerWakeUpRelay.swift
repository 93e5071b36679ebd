import ServiceLifecycle
import SpoolCore

/// Passes this process's news for the scheduler (a job submitted to this gateway, a slot this worker freed) to the
/// leader in whichever process it runs, as a token in the scheduler's wake list (`SchedulerWakeUps` hears it). At
/// most one token per `gap`: news that comes meanwhile is kept by the signal and sent after it, so a gateway taking
/// thousands of jobs a second sends a hundred tokens, not thousands.
public struct SchedulerWakeUpRelay<C: Clock>: Service where C.Duration == Duration {
    let store: RedisJobStore
    /// What the process notifies when it has news for the scheduler.
    public let news: WorkSignal
    let gap: Duration
    let clock: C

    public init(store: RedisJobStore, news: WorkSignal, gap: Duration = .milliseconds(10), clock: C) {
        self.store = store
        self.news = news
        self.gap = gap
        self.clock = clock
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await news.wait()
                guard !Task.isCancelled else { return }
                await store.wakeScheduler()
                try? await clock.sleep(for: gap)
            }
        }
    }
}
