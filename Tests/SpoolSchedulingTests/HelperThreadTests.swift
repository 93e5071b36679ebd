import Foundation
import Synchronization
import Testing

@testable import SpoolScheduling

@Suite struct HelperThreadTests {
    /// Both pieces run, the helper's on another thread, and `run` returns only once both have.
    @Test func runsTheHelpedWorkOnItsOwnThreadAndWaitsForIt() {
        let helper = HelperThread()
        let caller = Thread.current
        for round in 0..<200 {
            var helped: [Int] = []
            var mine: [Int] = []
            var helpedOnAnotherThread = false
            helper.run(
                {
                    helpedOnAnotherThread = Thread.current != caller
                    // Long enough that a `run` returning early would leave it half done.
                    for value in 0..<(round * 50) { helped.append(value) }
                },
                alongside: { mine = [round] })
            #expect(helped.count == round * 50 && mine == [round])
            #expect(helpedOnAnotherThread)
        }
        #expect(helper.runs == 200)
    }

    /// A helper let go of stops its thread; making and dropping many must not leave them running.
    @Test func aHelperLetGoOfStopsItsThread() throws {
        func threads() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count
        }
        let before = try threads()
        for _ in 0..<50 {
            let helper = HelperThread()
            helper.run({}, alongside: {})
        }
        // A thread that was told to stop is gone within moments; allow for it without sleeping in a loop forever.
        var after = try threads()
        for _ in 0..<100 where after > before + 2 {
            Thread.sleep(forTimeInterval: 0.05)
            after = try threads()
        }
        #expect(after <= before + 2, "\(after - before) helper threads still running")
    }
}
