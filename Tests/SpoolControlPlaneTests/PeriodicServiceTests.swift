import Logging
import ServiceLifecycleTestKit
import SpoolCore
import Testing

@testable import SpoolControlPlane

@Suite struct PeriodicServiceTests {
    let logger = Logger(label: "periodic-test")

    struct Failure: Error {}

    @Test func runsTheBodyOnEachTick() async {
        let clock = ManualClock()
        let runs = Count()
        let task = Task {
            await runPeriodically(every: .seconds(10), clock: clock, logger: logger) {
                runs.increment()
                return .wait
            }
        }
        #expect(await eventually { clock.sleepers == 1 })
        #expect(runs.current == 1)
        // Short of the interval nothing runs.
        clock.advance(by: .seconds(9))
        #expect(clock.sleepers == 1)
        #expect(runs.current == 1)
        for tick in 2...4 {
            clock.advance(by: .seconds(10))
            #expect(await eventually { runs.current == tick && clock.sleepers == 1 })
        }
        task.cancel()
        await task.value
    }

    @Test func waitFirstRunsOnlyAfterOneInterval() async {
        let clock = ManualClock()
        let runs = Count()
        let task = Task {
            await runPeriodically(every: .seconds(5), clock: clock, waitFirst: true, logger: logger) {
                runs.increment()
                return .wait
            }
        }
        #expect(await eventually { clock.sleepers == 1 })
        #expect(runs.current == 0)
        clock.advance(by: .seconds(5))
        #expect(await eventually { runs.current == 1 && clock.sleepers == 1 })
        task.cancel()
        await task.value
    }

    @Test func wakesEarlyOnTheSignal() async {
        let clock = ManualClock()
        let signal = WorkSignal()
        let runs = Count()
        let task = Task {
            await runPeriodically(every: .seconds(60), clock: clock, wakeUp: signal, logger: logger) {
                runs.increment()
                return .wait
            }
        }
        #expect(await eventually { clock.sleepers == 1 })
        #expect(runs.current == 1)
        // The waiter may register just after the sleeper, so notify until the loop has run again.
        #expect(
            await eventually {
                signal.notify()
                return runs.current >= 2
            })
        // Woken without the clock moving at all.
        #expect(clock.now == ManualClock.Instant(offset: .zero))
        task.cancel()
        await task.value
    }

    /// A wake-up right after a run a wake-up started waits out the gap from that run's start; one after a run of the
    /// interval, or long after, starts its run at once.
    @Test func aWakeUpStartsItsRunNoSoonerThanTheGapAfterTheLastWokenRun() async {
        let clock = ManualClock()
        let signal = WorkSignal()
        let runs = Count()
        let task = Task {
            await runPeriodically(
                every: .seconds(60), clock: clock, wakeUp: signal, wakeGap: .milliseconds(20), logger: logger
            ) {
                runs.increment()
                return .wait
            }
        }
        #expect(await eventually { clock.sleepers == 1 })
        #expect(runs.current == 1)
        // The first run was not woken: a wake-up runs the second at once, the clock unmoved. (One notify is enough:
        // one that comes before the loop waits is kept. Several could leave one kept for a later wait.)
        signal.notify()
        #expect(await eventually { runs.current == 2 })
        #expect(clock.now == ManualClock.Instant(offset: .zero))
        // The next wake-up waits until 20 ms after the second run began (a notify nobody waited for is kept).
        signal.notify()
        for _ in 0..<1000 { await Task.yield() }
        #expect(runs.current == 2)
        clock.advance(by: .milliseconds(19))
        #expect(runs.current == 2)
        clock.advance(by: .milliseconds(1))
        #expect(await eventually { runs.current == 3 && clock.sleepers == 1 })
        // A run of the interval does not count: a wake-up just after it runs the next at once.
        clock.advance(by: .seconds(60))
        #expect(await eventually { runs.current == 4 && clock.sleepers == 1 })
        let afterTheInterval = clock.now
        signal.notify()
        #expect(await eventually { runs.current == 5 })
        #expect(clock.now == afterTheInterval)
        task.cancel()
        await task.value
    }

    @Test func stopsOnCancellation() async {
        let clock = ManualClock()
        let runs = Count()
        let task = Task {
            await runPeriodically(every: .seconds(10), clock: clock, logger: logger) {
                runs.increment()
                return .wait
            }
        }
        #expect(await eventually { clock.sleepers == 1 })
        task.cancel()
        // Returns although the clock never reaches the next tick.
        await task.value
        #expect(runs.current == 1)
        #expect(clock.sleepers == 0)
    }

    @Test func keepsGoingAfterAnError() async {
        let clock = ManualClock()
        let runs = Count()
        let task = Task {
            await runPeriodically(every: .seconds(10), clock: clock, logger: logger) {
                if runs.increment() == 1 { throw Failure() }
                return .wait
            }
        }
        #expect(await eventually { runs.current == 1 && clock.sleepers == 1 })
        clock.advance(by: .seconds(10))
        #expect(await eventually { runs.current == 2 && clock.sleepers == 1 })
        task.cancel()
        await task.value
    }

    @Test func runsAgainAtOnceWhenAsked() async {
        let clock = ManualClock()
        let runs = Count()
        let task = Task {
            await runPeriodically(every: .seconds(10), clock: clock, logger: logger) {
                runs.increment() < 3 ? .again : .wait
            }
        }
        #expect(await eventually { clock.sleepers == 1 })
        #expect(runs.current == 3)
        task.cancel()
        await task.value
    }

    @Test func endsWhenTheBodyAsksToStop() async {
        let clock = ManualClock()
        let runs = Count()
        // No cancellation: the loop returns on its own once the body says its work is done.
        await runPeriodically(every: .seconds(10), clock: clock, logger: logger) {
            runs.increment() < 2 ? .again : .stop
        }
        #expect(runs.current == 2)
    }

    @Test func aLoopUntilShutdownEndsWhenTheDrainBegins() async {
        let clock = ManualClock()
        let runs = Count()
        await testGracefulShutdown { trigger in
            let task = Task {
                await runPeriodically(every: .seconds(60), clock: clock, lifetime: .untilShutdown, logger: logger) {
                    runs.increment()
                    return .wait
                }
            }
            #expect(await eventually { clock.sleepers == 1 })
            trigger.triggerGracefulShutdown()
            // Ends without the clock moving and without cancellation.
            await task.value
        }
        #expect(runs.current == 1)
    }

    @Test func aLoopUntilCancelledGoesOnThroughTheDrain() async {
        let clock = ManualClock()
        let runs = Count()
        await testGracefulShutdown { trigger in
            let task = Task {
                await runPeriodically(every: .seconds(5), clock: clock, lifetime: .untilCancelled, logger: logger) {
                    runs.increment()
                    return .wait
                }
            }
            #expect(await eventually { clock.sleepers == 1 })
            trigger.triggerGracefulShutdown()
            // Still ticking: a draining worker keeps heartbeating its registration and its running jobs.
            for tick in 2...3 {
                clock.advance(by: .seconds(5))
                #expect(await eventually { runs.current == tick && clock.sleepers == 1 })
            }
            task.cancel()
            await task.value
        }
    }
}
