import Foundation
import SpoolCore
import Testing

@testable import SpoolWorker

@Suite struct GPUHealthMonitorTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aFailingGPUIsFencedThenSelfTestedAndReadmitted() {
        let monitor = GPUHealthMonitor(gpus: [0, 1])
        #expect(monitor.fenced.isEmpty)
        monitor.record(.sessionInitFailed(reason: "OpenEncodeSessionEx failed"), gpu: 1, now: start)
        #expect(monitor.fenced.keys.sorted() == [1])
        #expect(monitor.fenced[1]?.contains("OpenEncodeSessionEx") == true)
        #expect(monitor.dueForSelfTest(now: start.addingTimeInterval(10)).isEmpty)
        #expect(monitor.dueForSelfTest(now: start.addingTimeInterval(30)) == [1])
        #expect(monitor.fenced[1]?.contains("self-test running") == true)
        #expect(monitor.record(.selfTestPassed, gpu: 1, now: start.addingTimeInterval(31)) == .readmit)
        #expect(monitor.fenced.isEmpty)
        // GPU 0 was never touched; unknown GPUs are ignored.
        #expect(monitor.record(.jobFailed(reason: "x"), gpu: 7, now: start) == nil)
    }
}
