import Foundation
import SpoolCore
import TestThreads
import Testing

@testable import SpoolSimulation

@Suite("Service classes and cost in the simulator", .cpuBound)
struct ClassesAndCostTests {
    @Test func theReportSplitsWaitsByClassAndComparesTheCostPolicyWithHPA() throws {
        let simulator = Simulator(
            workload: SmallWorkloads.burst(), fleet: SmallWorkloads.smallFleet, settings: SmallWorkloads.settings())
        let report = try simulator.run(policies: [.hpa, .predictiveCost])
        let hpa = try #require(report.policies.first { $0.policy == "hpa" })
        let cost = try #require(report.policies.first { $0.policy == "predictive+cost" })
        let goal = try #require(report.costGoal)
        #expect(abs(goal.costRatioVsHPA - cost.cost / hpa.cost) < 1e-9)
        #expect(abs(goal.gpuHoursRatioVsHPA - cost.gpuHours / hpa.gpuHours) < 1e-9)
        #expect(goal.sloViolations == cost.sloViolations.total)
        for policy in report.policies {
            let classes = [policy.waitsByClass.realtime, policy.waitsByClass.standard, policy.waitsByClass.batch]
            #expect(classes.map(\.maxSeconds).max() == policy.queueWait.maxSeconds)
            // The burst is batch, the trickle standard, and nothing realtime.
            #expect(policy.waitsByClass.realtime == WaitPercentiles(waits: []))
            #expect(policy.waitsByClass.batch.p95Seconds >= policy.waitsByClass.standard.p95Seconds)
        }
        // Spot is what the cost policy buys; the HPA rule buys on-demand.
        #expect(hpa.spotShare == 0)
        #expect(cost.spotShare > 0.9)
        let json = String(decoding: try report.json(), as: UTF8.self)
        #expect(json.contains("\"cost_ratio_vs_hpa\""))
        #expect(json.contains("\"waits_by_class\""))
    }

    @Test func aBatchBurstWaitsForPaidCapacityButNeverPastItsSLO() throws {
        let simulator = Simulator(
            workload: SmallWorkloads.burst(), fleet: SmallWorkloads.smallFleet, settings: SmallWorkloads.settings())
        let report = try simulator.run(policies: [.predictive, .predictiveCost])
        let eager = try #require(report.policies.first { $0.policy == "predictive" })
        let patient = try #require(report.policies.first { $0.policy == "predictive+cost" })
        // The cost policy lets the 120 batch jobs queue for the workers it has instead of buying a worker per 8.
        #expect(patient.waitsByClass.batch.p95Seconds > eager.waitsByClass.batch.p95Seconds)
        #expect(patient.peakWorkers < eager.peakWorkers)
        #expect(patient.gpuHours < eager.gpuHours)
        #expect(patient.waitsByClass.batch.maxSeconds <= SLOTargets().batchSeconds)
        #expect(patient.sloViolations.total == 0)
    }

    @Test func realtimeJobsPreemptAsFastAsTheServicesCyclesWould() throws {
        // 10 workers (80 slots) full of hour-long batch jobs, then 80 realtime jobs at once. One cycle's 8 searches
        // per 15-second step would free 8 slots a step and leave most realtime jobs past their 60 s; a step stands
        // for 75 cycles of the service, so all of them start within the target.
        let hour = JobDurations(nvencSeconds: 3_600, nvdecWithCPUSeconds: 3_600, cpuSeconds: 3_600)
        let fiveMinutes = SmallWorkloads.fiveMinutes
        let batch = (0..<80).map {
            SimulatedJob(
                arrivalSeconds: Double($0) * 0.1, tenant: "acme", serviceClass: .batch, kind: 0, durations: hour)
        }
        let realtime = (0..<80).map {
            SimulatedJob(
                arrivalSeconds: 120 + Double($0) * 0.1, tenant: "live", serviceClass: .realtime, kind: 0,
                durations: fiveMinutes)
        }
        let workload = Workload(
            name: "preemption", durationSeconds: 3_600, kinds: [JobKind(preset: "web-720p")], jobs: batch + realtime)
        var fleet = SmallWorkloads.smallFleet
        fleet.maxWorkers = 10
        fleet.initialWorkers = 10
        let report = try Simulator(workload: workload, fleet: fleet, settings: SmallWorkloads.settings())
            .run(policies: [.fixed(workers: 10)])
        let fixed = try #require(report.policies.first)
        #expect(fixed.preemptions >= 80)
        #expect(fixed.sloViolations.realtime == 0)
        #expect(fixed.waitsByClass.realtime.maxSeconds <= 60)
        #expect(fixed.jobsCompleted == 160)
    }
}
