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

    @Test func notifyOneWakesOneWaiterAndLeavesTheOthersWaiting() async {
        let signal = WorkSignal()
        let (woken, wake) = AsyncStream.makeStream(of: Int.self)
        let waiters = (0..<3).map { index in
            Task {
                await signal.wait()
                wake.yield(index)
            }
        }
        while signal.waiting < 3 { await Task.yield() }
        signal.notifyOne()
        var iterator = woken.makeAsyncIterator()
        _ = await iterator.next()
        #expect(signal.waiting == 2)
        signal.notifyOne()
        _ = await iterator.next()
        #expect(signal.waiting == 1)
        signal.notify()
        _ = await iterator.next()
        #expect(signal.waiting == 0)
        for waiter in waiters { await waiter.value }
        signal.notifyOne()  // nobody waits: nothing happens
    }

    @Test func cancellationEndsAWait() async {
        let signal = WorkSignal()
        let waiter = Task { await signal.wait() }
        waiter.cancel()
        await waiter.value
    }
}
