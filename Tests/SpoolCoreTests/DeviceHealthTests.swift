import Foundation
import SpoolCore
import Testing

@Suite struct DeviceHealthTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func repeatedFailuresFenceThenASelfTestReadmits() {
        var health = DeviceHealth()
        #expect(health.handle(.jobFailed(reason: "exit 1"), now: start) == nil)
        #expect(health.handle(.jobFailed(reason: "exit 1"), now: start) == nil)
        guard case .fence(_, let until)? = health.handle(.jobFailed(reason: "exit 1"), now: start) else {
            Issue.record("three failures in a row did not fence")
            return
        }
        #expect(until == start.addingTimeInterval(30))
        #expect(!health.isPlaceable)
        #expect(health.handle(.tick, now: start.addingTimeInterval(29)) == nil)
        #expect(health.handle(.tick, now: start.addingTimeInterval(30)) == .runSelfTest)
        #expect(health.handle(.selfTestPassed, now: start.addingTimeInterval(31)) == .readmit)
        #expect(health.isPlaceable)
    }

    @Test func anInitFailureFencesAtOnceAndFailedSelfTestsBackOff() {
        var health = DeviceHealth()
        #expect(
            health.handle(.sessionInitFailed(reason: "OpenEncodeSessionEx failed"), now: start)
                == .fence(reason: "OpenEncodeSessionEx failed", until: start.addingTimeInterval(30)))
        _ = health.handle(.tick, now: start.addingTimeInterval(30))
        guard
            case .fence(_, let until)? = health.handle(
                .selfTestFailed(reason: "no device"), now: start.addingTimeInterval(31))
        else {
            Issue.record("a failed self-test did not fence again")
            return
        }
        #expect(until == start.addingTimeInterval(31 + 60))
        // A success between fences resets nothing while fenced; only a passed self-test re-admits.
        #expect(health.handle(.jobSucceeded, now: start.addingTimeInterval(40)) == nil)
        #expect(!health.isPlaceable)
    }
}
