import Foundation
import SpoolCore
import TestThreads
import Testing

@testable import SpoolSimulation

/// The simulator places through the production `PlacementPlanner`, so it preempts and degrades as the placement
/// service would, and reports both.
@Suite(.cpuBound) struct PlannerInTheSimulatorTests {
    @Test func aSaturatedFleetPreemptsBatchForRealtimeAndDegradesOverdueStandardJobs() throws {
        // One worker, filled with batch work; then realtime jobs (they may preempt batch) and standard jobs that
        // wait past their 60 s target on the saturated fleet (they encode faster, same outputs).
        let batch = (0..<40).map { SmallWorkloads.job(at: Double($0), .batch, kind: $0 % 2) }
        let realtime = (0..<4).map { SmallWorkloads.job(at: 600 + Double($0), .realtime) }
        let standard = (0..<6).map { SmallWorkloads.job(at: 620 + Double($0), .standard, kind: 1) }
        let workload = Workload(
            name: "saturated", durationSeconds: 3_600,
            kinds: [JobKind(preset: "web-720p"), JobKind(preset: "hls-ladder")], jobs: batch + realtime + standard)
        var simulation = try PolicySimulation(
            workload: workload, fleet: SmallWorkloads.smallFleet, settings: SmallWorkloads.settings(),
            policy: .fixed(workers: 1), offeredLoad: OfferedLoad(workload, intervalSeconds: 900))
        let report = simulation.run()
        #expect(report.preemptions > 0)
        #expect(report.degradations > 0)
        // Preempted work is requeued, not lost: every job still completes.
        #expect(report.jobsCompleted == workload.jobs.count && report.jobsUnfinished == 0)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"preemptions\":\(report.preemptions)"))
        #expect(json.contains("\"degradations\":\(report.degradations)"))
    }
}
