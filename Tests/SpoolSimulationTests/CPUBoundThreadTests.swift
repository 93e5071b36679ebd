import Foundation
import Synchronization
import TestThreads
import Testing

@testable import SpoolSimulation

/// The simulations of this target run beside tests that wait on real servers and count deadlines on the wall clock.
/// They must leave the cooperative pool (two threads on a 2-core machine) to those: a pool held for a minute by two
/// simulations once made eight servers miss their 60 s start-up.
@Suite struct CPUBoundThreadTests {
    static func onTheCPUBoundThreads() -> Bool { CPUBoundExecutor.shared.runsTheCallingThread() }

    @Test(.cpuBound) func aCPUBoundTestRunsOnThreadsOfItsOwn() async {
        #expect(Self.onTheCPUBoundThreads())
        await Task.yield()
        #expect(Self.onTheCPUBoundThreads(), "and comes back to them after an await")
    }

    @Test func anUnmarkedTestRunsOnTheCooperativePool() {
        #expect(!Self.onTheCPUBoundThreads())
    }

    /// The kernel's name of the calling thread: dispatch's global threads, the pool's, are `com.apple.root.…`.
    static func threadName() -> String {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return comm.trimmingCharacters(in: .newlines)
    }

    /// The simulator's runs go on threads it starts (and names) itself, not on the pool's: `concurrentPerform`, used
    /// before, put them on the pool's threads, and two minutes-long runs held the whole pool.
    @Test func theSimulatorsRunsGoOnThreadsOfTheirOwnEachOnce() {
        let calls = Mutex<[Int]>([])
        let runs = ParallelRuns.map(7) { index in
            calls.withLock { $0.append(index) }
            return (index: index, thread: Self.threadName())
        }
        #expect(runs.map(\.index) == Array(0..<7), "in the order of their indexes")
        #expect(calls.withLock { $0.sorted() } == Array(0..<7), "each called once")
        #expect(runs.allSatisfy { $0.thread.hasPrefix("simulation-") }, "\(runs)")
    }
}
