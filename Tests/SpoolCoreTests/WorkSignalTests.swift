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
        signal.notifyOne()  // nobody waits: the baton is dropped
        #expect(signal.waiting == 0)
    }

    /// News that comes while the only waiter is busy (a scheduler cycle running as a slot frees) is not lost: the next
    /// wait returns at once, and only that one.
    @Test func aNotifyWhileNobodyWaitsEndsTheNextWaitOnly() async {
        let signal = WorkSignal()
        signal.notify()
        signal.notify()
        await signal.wait()  // returns at once
        let (woken, wake) = AsyncStream.makeStream(of: Void.self)
        let waiter = Task {
            await signal.wait()
            wake.yield()
        }
        // Two missed notifies end one wait, not two: this one stays until the next notify.
        while signal.waiting < 1 { await Task.yield() }
        #expect(signal.waiting == 1)
        signal.notify()
        var iterator = woken.makeAsyncIterator()
        _ = await iterator.next()
        await waiter.value
        #expect(signal.waiting == 0)
    }

    @Test func aDroppedBatonDoesNotEndALaterWait() async {
        let signal = WorkSignal()
        signal.notifyOne()
        let waiter = Task { await signal.wait() }
        while signal.waiting < 1 { await Task.yield() }
        #expect(signal.waiting == 1)
        waiter.cancel()
        await waiter.value
    }

    @Test func cancellationEndsAWait() async {
        let signal = WorkSignal()
        let waiter = Task { await signal.wait() }
        waiter.cancel()
        await waiter.value
    }
}
