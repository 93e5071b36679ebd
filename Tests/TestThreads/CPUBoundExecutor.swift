import Foundation

/// A task executor with a few threads of its own, for tests that compute for seconds.
///
/// A synchronous test body runs on whichever thread its task runs on, and by default that is one of the cooperative
/// pool's: as many threads as cores, two on a 2-core CI machine. Two long simulations there hold the pool for their
/// whole length, and every other test of the process (a server waited for, a deadline counted on the wall clock)
/// stands still meanwhile. On these threads the computation still takes its share of the cores, but the pool stays
/// free for the tests that await.
public final class CPUBoundExecutor: TaskExecutor, @unchecked Sendable {
    /// One thread per core, like the pool it relieves: more would only slice the same cores thinner.
    public static let shared = CPUBoundExecutor(threads: max(ProcessInfo.processInfo.activeProcessorCount, 2))

    // Guarded by `condition`; a job stays in the queue until a thread takes it, first in first out.
    private let condition = NSCondition()
    private var queued: [UnownedJob] = []
    private var next = 0
    private var threadIDs: Set<pthread_t> = []

    init(threads: Int) {
        for number in 0..<threads {
            let thread = Thread { [self] in
                // A new thread starts with its creator's name (a pool thread's); this one names itself, for
                // profilers and debuggers, through the file Linux keeps the name in.
                try? "cpu-bound-\(number)".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
                condition.lock()
                threadIDs.insert(pthread_self())
                condition.unlock()
                work()
            }
            // Simulations recurse little, but a debug build's frames are large: the size of a main thread's stack.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Whether the caller runs on one of this executor's threads (for the tests that check where work runs).
    public func runsTheCallingThread() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return threadIDs.contains(pthread_self())
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queued.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while next == queued.count { condition.wait() }
            let job = queued[next]
            next += 1
            if next == queued.count {
                queued.removeAll(keepingCapacity: true)
                next = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
