import Foundation
import Testing

@testable import SpoolCore

@Suite struct ExpectedWorkerTests {
    func worker(_ name: String, cached: [String] = []) -> WorkerRecord {
        WorkerRecord(
            id: WorkerID(rawValue: "wrk_cpu_" + name), pool: "cpu", poolKind: .cpu, host: "h", pid: 1, slots: 2,
            devices: nil, startedAt: Date(), heartbeatAt: Date(), cachedInputs: cached)
    }

    @Test func theWorkerHoldingTheInputIsExpected() {
        let workers = [worker("a"), worker("b", cached: ["https://cdn.example.com/x.mp4"]), worker("c")]
        for index in 0..<20 {
            #expect(
                ExpectedWorker.pick(
                    job: JobID(rawValue: "job_\(index)"), input: "https://cdn.example.com/x.mp4", among: workers)
                    == WorkerID(rawValue: "wrk_cpu_b"))
        }
    }

    @Test func otherwiseEveryWorkerAgreesAndTheJobsSpreadEvenly() {
        let workers = ["a", "b", "c", "d"].map { worker($0) }
        var counts: [WorkerID: Int] = [:]
        for index in 0..<2000 {
            let job = JobID(rawValue: "job_\(index)")
            let picked = ExpectedWorker.pick(job: job, input: "https://o.example.com/\(index)", among: workers)
            // Any order of the registry gives the same answer.
            #expect(
                picked
                    == ExpectedWorker.pick(job: job, input: "https://o.example.com/\(index)", among: workers.reversed())
            )
            counts[picked!, default: 0] += 1
        }
        #expect(counts.count == 4)
        #expect(counts.values.allSatisfy { (350...650).contains($0) }, "\(counts)")
        // A worker leaving moves only its own jobs.
        let remaining = Array(workers.dropLast())
        for index in 0..<200 {
            let job = JobID(rawValue: "job_\(index)")
            let before = ExpectedWorker.pick(job: job, input: "u", among: workers)
            if before != workers.last?.id {
                #expect(ExpectedWorker.pick(job: job, input: "u", among: remaining) == before)
            }
        }
        #expect(ExpectedWorker.pick(job: JobID(rawValue: "j"), input: "u", among: []) == nil)
    }
}
