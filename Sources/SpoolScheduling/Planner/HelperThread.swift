import Foundation

/// A thread of its own that runs one piece of work beside the caller, for a planner given a spare core: two
/// independent parts of a step (the dispatch order and bringing the device classes up to date) then take the time
/// of the longer one. The result is the same as running them one after the other, since they share nothing.
///
/// Not `DispatchQueue.concurrentPerform`: its helpers come from the global queues that Swift's cooperative executor
/// also runs on, so a long run of steps would hold up the tasks of the process.
public final class HelperThread: Sendable {
    /// What the caller and the thread share; the thread holds it, not the helper, so that letting go of the helper
    /// stops the thread.
    private final class Mailbox: @unchecked Sendable {
        // Safe to share: `work` and `runCount` are read and written only while `lock` is held, and the semaphores
        // are thread-safe themselves. They order the hand-over: the work is posted before `posted` is signalled, and
        // the thread lets go of it before it signals `done`.
        private let lock = NSLock()
        private var work: (() -> Void)?
        private var runCount = 0
        let posted = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        /// Signalled once, as the thread ends.
        let exited = DispatchSemaphore(value: 0)

        var runs: Int { lock.withLock { runCount } }

        /// Hands `work` to the thread; nil stops it.
        func post(_ work: (() -> Void)?) {
            lock.withLock { self.work = work }
            posted.signal()
        }

        /// Waits for the posted work to end, and lets go of it.
        func collect() {
            done.wait()
            lock.withLock {
                work = nil
                runCount += 1
            }
        }

        /// On the thread: runs the posted work; false when there was none (the helper is gone). The work is let go of
        /// before this returns, so `run` never sees it escape.
        func runPosted() -> Bool {
            guard let work = lock.withLock({ self.work }) else { return false }
            work()
            return true
        }
    }

    private let mailbox = Mailbox()

    /// How many times work was run beside the caller.
    public var runs: Int { mailbox.runs }

    /// Signalled when the helper's thread has ended, which it does once the helper is let go of.
    var threadExited: DispatchSemaphore { mailbox.exited }

    public init() {
        let mailbox = self.mailbox
        let thread = Thread {
            try? "planning-helper".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            defer { mailbox.exited.signal() }
            while true {
                mailbox.posted.wait()
                guard mailbox.runPosted() else { return }
                mailbox.done.signal()
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    deinit {
        mailbox.post(nil)
    }

    /// Runs `helped` on the helper's thread and `mine` on the caller's, and returns when both have: the two must
    /// touch nothing in common.
    public func run(_ helped: () -> Void, alongside mine: () -> Void) {
        withoutActuallyEscaping(helped) { helped in
            mailbox.post(helped)
            mine()
            mailbox.collect()
        }
    }
}
