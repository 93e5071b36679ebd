import Foundation
import Synchronization

/// A task executor with a few threads of its own, for tests that compute for seconds.
///
/// A synchronous test body runs on whichever thread its task runs on, and by default that is one of the cooperative
/// pool's: as many threads as cores, two on a 2-core CI machine. Two long simulations there hold the pool for their
/// whole length, and every other test of the process (a server waited for, a deadline counted on the wall clock)
/// stands still meanwhile. On these threads the computation still takes its share of the cores, but the pool stays
/// free for the tests that await.
public final class CPUBoundExecutor: TaskExecutor {
    /// One thread per core, like the pool it relieves: more would only slice the same cores thinner.
    public static let shared = CPUBoundExecutor(threads: max(ProcessInfo.processInfo.activeProcessorCount, 2))

    /// The jobs not yet taken, first in first out (`next` is the first), and the threads that take them.
    private struct State {
        var queued: [UnownedJob] = []
        var next = 0
        var threadIDs: Set<pthread_t> = []
    }

    private let state = Mutex(State())
    /// One signal per job enqueued: a thread waits on it for the next job to take.
    private let jobsWaiting = DispatchSemaphore(value: 0)

    init(threads: Int) {
        for number in 0..<threads {
            let thread = Thread { [self] in
                // A new thread starts with its creator's name (a pool thread's); this one names itself, for
                // profilers and debuggers, through the file Linux keeps the name in.
                try? "cpu-bound-\(number)".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
                state.withLock { _ = $0.threadIDs.insert(pthread_self()) }
                work()
            }
            // Simulations recurse little, but a debug build's frames are large: the size of a main thread's stack.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Whether the caller runs on one of this executor's threads (for the tests that check where work runs).
    public func runsTheCallingThread() -> Bool {
        state.withLock { $0.threadIDs.contains(pthread_self()) }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        state.withLock { $0.queued.append(job) }
        jobsWaiting.signal()
    }

    private func work() {
        while true {
            jobsWaiting.wait()
            let job = state.withLock { state in
                let job = state.queued[state.next]
                state.next += 1
                if state.next == state.queued.count {
                    state.queued.removeAll(keepingCapacity: true)
                    state.next = 0
                }
                return job
            }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
