import Foundation

/// A thread of its own that runs one piece of work beside the caller, for a planner given a spare core: two
/// independent parts of a step (the dispatch order and bringing the device classes up to date) then take the time
/// of the longer one. The result is the same as running them one after the other, since they share nothing.
///
/// Not `DispatchQueue.concurrentPerform`: its helpers come from the global queues that Swift's cooperative executor
/// also runs on, so a long run of steps would hold up the tasks of the process.
public final class HelperThread: @unchecked Sendable {
    /// Shared with the thread, which must not keep the helper itself alive.
    private final class Mailbox: @unchecked Sendable {
        let posted = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        /// Signalled once, as the thread ends.
        let exited = DispatchSemaphore(value: 0)
        /// Set only while `run` waits for it, so the thread reads it between `posted` and `done`; nil stops the thread.
        var work: (() -> Void)?

        /// Runs the posted work; false when there was none (the helper is gone). The work is let go of before
        /// this returns, so `run` never sees it escape.
        func runPosted() -> Bool {
            guard let work else { return false }
            work()
            return true
        }
    }

    private let mailbox = Mailbox()
    /// How many times work was run beside the caller (read by the caller's thread only).
    public private(set) var runs = 0

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

    /// Signalled when the helper's thread has ended, which it does once the helper is let go of.
    var threadExited: DispatchSemaphore { mailbox.exited }

    deinit {
        mailbox.work = nil
        mailbox.posted.signal()
    }

    /// Runs `helped` on the helper's thread and `mine` on the caller's, and returns when both have: the two must
    /// touch nothing in common.
    public func run(_ helped: () -> Void, alongside mine: () -> Void) {
        withoutActuallyEscaping(helped) { helped in
            mailbox.work = helped
            mailbox.posted.signal()
            mine()
            mailbox.done.wait()
            mailbox.work = nil
        }
        runs += 1
    }
}
