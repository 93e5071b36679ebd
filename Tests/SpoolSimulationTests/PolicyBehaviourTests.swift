import Foundation
import TestThreads
import Testing

@testable import SpoolSimulation

@Suite(.cpuBound) struct PolicyBehaviourTests {
    func simulate(_ policy: ScalingPolicy, _ workload: Workload = SmallWorkloads.burst())
        throws -> (report: PolicyReport, log: [(job: Int, at: Double, attempt: Int)])
    {
        let load = OfferedLoad(workload, intervalSeconds: 900)
        var simulation = try PolicySimulation(
            workload: workload, fleet: SmallWorkloads.smallFleet, settings: SmallWorkloads.settings(), policy: policy,
            offeredLoad: load)
        simulation.logsPlacements = true
        let report = simulation.run()
        return (report, simulation.placementLog)
    }

    @Test(arguments: [ScalingPolicy.hpa, .predictive, .predictiveCost, .fixed(workers: 4)])
    func everyJobCompletesAndNoneRunsBeforeItArrives(policy: ScalingPolicy) throws {
        let workload = SmallWorkloads.burst()
        let (report, log) = try simulate(policy, workload)
        #expect(report.jobsCompleted == workload.jobs.count)
        #expect(report.jobsUnfinished == 0)
        #expect(Set(log.map(\.job)).count == workload.jobs.count)
        for entry in log {
            #expect(entry.at >= workload.jobs[entry.job].arrivalSeconds, "job \(entry.job) ran before it arrived")
        }
        #expect(report.queueWait.p50Seconds >= 0)
    }

    @Test func theFixedFleetNeverScales() throws {
        let (report, _) = try simulate(.fixed(workers: 4))
        #expect(report.scaleEvents == 0)
        #expect(report.timeline.allSatisfy { $0.workers == 4 })
        #expect(report.peakWorkers == 4)
    }

    @Test func hpaScalesUpUnderABurstAndDownAfterItsStabilizationWindow() throws {
        let (report, _) = try simulate(.hpa)
        let timeline = report.timeline
        let opening = try #require(timeline.first).workers
        let peak = try #require(timeline.map(\.workers).max())
        #expect(peak > opening)
        // The peak comes after the burst starts (15 minutes in).
        let peakIndex = try #require(timeline.firstIndex { $0.workers == peak })
        #expect(timeline[peakIndex].minute > 15)
        // Scale-down follows the highest recommendation of the last five minutes, so the fleet stays at its peak
        // at least that long.
        let downIndex = try #require(timeline[peakIndex...].firstIndex { $0.workers < peak })
        #expect((timeline[downIndex].minute - timeline[peakIndex].minute) * 60 >= 300)
        // Three quiet hours later it is back at its minimum.
        #expect(try #require(timeline.last).workers == SmallWorkloads.smallFleet.minWorkers)
        #expect(report.scaleEvents >= 2)
    }

    @Test func anOutageSendsItsJobsBackAsRetriesThatComplete() throws {
        var workload = SmallWorkloads.burst()
        workload.outages = [OutageWindow(startSeconds: 1_000, durationSeconds: 300)]
        let (report, log) = try simulate(.fixed(workers: 20), workload)
        #expect(report.failedAttempts > 0)
        #expect(report.jobsCompleted == workload.jobs.count)
        // Retries come back only after the outage ends.
        for entry in log where entry.attempt > 0 { #expect(entry.at >= 1_300) }
    }

    @Test func wholeGPUsRunFewerJobsPerGPUHourThanSharedOnes() throws {
        let simulator = Simulator(
            workload: SmallWorkloads.burst(), fleet: SmallWorkloads.smallFleet,
            settings: SmallWorkloads.settings(packing: true))
        let report = try simulator.run(policies: [.hpa])
        let packing = try #require(report.packing)
        #expect(packing.wholeGPU.jobsCompleted == packing.sessionAware.jobsCompleted)
        #expect(packing.ratio > 1)
        #expect(packing.wholeGPU.peakGPUs > packing.sessionAware.peakGPUs)
    }
}
