import Foundation
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

    /// A helper let go of stops its thread, whether it ever ran anything or not.
    @Test func aHelperLetGoOfStopsItsThread() {
        for used in [false, true] {
            var helper: HelperThread? = HelperThread()
            let exited = helper!.threadExited
            if used { helper!.run({}, alongside: {}) }
            #expect(exited.wait(timeout: .now()) == .timedOut, "the thread ended while its helper was alive")
            helper = nil
            #expect(exited.wait(timeout: .now() + 60) == .success, "the thread still runs")
        }
    }
}
