import Testing

@testable import SpoolCore

@Suite struct WorkSignalTests {
    @Test func notifyWakesEveryWaiter() async {
        let signal = WorkSignal()
        // Waiters register asynchronously, so notify until all of them have returned.
        let notifier = Task {
            while !Task.isCancelled {
                signal.notify()
                await Task.yield()
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { await signal.wait() } }
            await group.waitForAll()
        }
        notifier.cancel()
    }

    @Test func cancellationEndsAWait() async {
        let signal = WorkSignal()
        let waiter = Task { await signal.wait() }
        waiter.cancel()
        await waiter.value
    }
}
