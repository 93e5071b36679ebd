import Foundation
import Logging
import SpoolCore
import Synchronization
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

@Suite struct GPUMemorySamplerTests {
    @Test func keepsThePeakOfItsOwnProcess() async throws {
        let sampler = GPUMemorySampler()
        let calls = Counter()
        sampler.started(4242)
        let readings = [300, 812, 640]
        let task = Task {
            await sampler.run(every: .milliseconds(1), clock: ContinuousClock(), logger: Logger(label: "sampler-test"))
            {
                let n = calls.next()
                // Another process's larger figure is not this job's.
                return [4242: readings[min(n, readings.count - 1)], 9999: 20_000]
            }
        }
        while calls.value < 4 { try await Task.sleep(for: .milliseconds(2)) }
        task.cancel()
        await task.value
        #expect(sampler.peakMiB == 812)
    }

    @Test func observationsKeepTheLatest() {
        let log = GPUMemoryObservations(capacity: 2)
        for n in 0..<3 {
            log.record(
                GPUMemoryObservation(job: JobID(rawValue: "j\(n)"), estimateKey: "web-720p", path: "nvenc", peakMiB: n))
        }
        #expect(log.latest.map(\.job.rawValue) == ["j1", "j2"])
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func next() -> Int {
        count.withLock { value in
            defer { value += 1 }
            return value
        }
    }
    var value: Int { count.withLock { $0 } }
}
