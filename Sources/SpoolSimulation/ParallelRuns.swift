import Foundation
import Synchronization

/// Independent runs on threads of their own, at most one per core, the caller waiting for all of them.
///
/// Not `DispatchQueue.concurrentPerform`: its helpers come from the global queues that Swift's cooperative executor
/// also runs on (on Linux they are the same threads), so a simulation of minutes would hold up every task of the
/// process that awaits, a progress display or a server's requests among them.
enum ParallelRuns {
    /// `body(0) … body(count - 1)`, each called once, in the order of their indexes in the result.
    static func map<Value: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> Value) -> [Value] {
        guard count > 1 else { return (0..<count).map(body) }
        let shared = Shared<Value>(count: count)
        let threads = min(count, max(ProcessInfo.processInfo.activeProcessorCount, 1))
        for number in 0..<threads {
            let thread = Thread {
                // A new thread starts with its creator's name, so a profile would show the simulation as the
                // caller's work; the thread names itself through the file Linux keeps the name in.
                try? "simulation-\(number)".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
                shared.work(body)
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        for _ in 0..<threads { shared.finished.wait() }
        return shared.values.withLock { $0.map { $0! } }
    }

    /// What the threads share: the next index to take (a thread that finishes early takes the next run) and the
    /// values by index.
    private final class Shared<Value: Sendable>: Sendable {
        let next = Atomic<Int>(0)
        let values: Mutex<[Value?]>
        let finished = DispatchSemaphore(value: 0)
        let count: Int

        init(count: Int) {
            self.count = count
            values = Mutex(Array(repeating: nil, count: count))
        }

        func work(_ body: @Sendable (Int) -> Value) {
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { break }
                let value = body(index)
                values.withLock { $0[index] = value }
            }
            finished.signal()
        }
    }
}
