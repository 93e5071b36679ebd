import Foundation
import SpoolCore
import TestThreads
import Testing

@testable import SpoolSimulation

/// Small seeded runs whose reports are pinned number by number, so that making the simulator (or the planner it
/// runs) faster cannot quietly change what it reports. A change that is meant to move these numbers updates them
/// and says why.
@Suite(.cpuBound) struct PinnedReportTests {
    /// Every figure of a policy's report that the printed table shows, and a digest of its time series.
    static func summary(_ policy: PolicyReport) -> String {
        let byClass = policy.waitsByClass
        let missed = policy.sloViolations
        let timeline = policy.timeline.reduce((load: 0, workers: 0, wait: 0.0)) {
            ($0.load + $1.load, $0.workers + $1.workers, $0.wait + $1.p95WaitSeconds)
        }
        return "\(policy.policy) \(policy.sharing.rawValue) "
            + String(
                format: "done %d/%d failed %d spot %d wait %.3f/%.3f p95 %.3f/%.3f/%.3f missed %d/%d/%d "
                    + "util %.5f gpu-h %.4f spot %.4f cost %.4f scale %d peak %d preempted %d degraded %d "
                    + "timeline %d/%d/%.3f",
                policy.jobsCompleted, policy.jobsArrived, policy.failedAttempts,
                policy.requeuedBySpot, policy.queueWait.p50Seconds, policy.queueWait.p99Seconds,
                byClass.realtime.p95Seconds, byClass.standard.p95Seconds, byClass.batch.p95Seconds, missed.realtime,
                missed.standard, missed.batch, policy.utilisation, policy.gpuHours, policy.spotShare, policy.cost,
                policy.scaleEvents, policy.peakWorkers, policy.preemptions, policy.degradations, timeline.load,
                timeline.workers, timeline.wait)
    }

    /// The small diurnal day with every policy and the whole-GPU rerun: autoscalers, spot interruptions, an outage
    /// with its retries.
    @Test func theSmallDiurnalDayWithEveryPolicy() throws {
        let report = try Simulator(
            workload: SmallWorkloads.diurnal(seed: 11), fleet: SmallWorkloads.diurnalFleet,
            settings: SimulationSettings(seed: 5)
        ).run()
        var lines = report.policies.map(Self.summary)
        if let whole = report.packing?.wholeGPU {
            lines.append(
                String(
                    format: "whole GPUs done %d gpu-h %.4f peak %d p95 %.3f cost %.4f", whole.jobsCompleted,
                    whole.gpuHours, whole.peakGPUs, whole.p95WaitSeconds, whole.cost))
        }
        #expect(
            lines == [
                "hpa session_aware done 2252/2252 failed 138 spot 0 wait 8.014/221.415 p95 14.859/111.822/201.221 missed 0/0/0 util 0.85811 gpu-h 50.5375 spot 0.0000 cost 40.6827 scale 79 peak 30 preempted 26 degraded 80 timeline 3597/603/1075.774",
                "predictive session_aware done 2252/2252 failed 138 spot 0 wait 7.880/180.000 p95 14.615/14.725/168.758 missed 0/0/0 util 0.71691 gpu-h 59.1250 spot 0.0000 cost 47.5956 scale 43 peak 30 preempted 31 degraded 19 timeline 3546/706/916.102",
                "predictive+cost session_aware done 2252/2252 failed 141 spot 63 wait 9.231/828.712 p95 14.879/27.488/695.644 missed 0/0/0 util 0.80297 gpu-h 52.9750 spot 0.5379 cost 28.8244 scale 49 peak 23 preempted 135 degraded 24 timeline 4075/636/6759.085",
                "fixed-10 session_aware done 2252/2252 failed 138 spot 0 wait 9.500/1615.356 p95 14.859/30.773/1296.221 missed 0/0/0 util 0.77934 gpu-h 49.4167 spot 0.0000 cost 39.7804 scale 0 peak 10 preempted 147 degraded 49 timeline 4186/600/15514.330",
                "whole GPUs done 2252 gpu-h 362.2792 peak 212 p95 119.012 cost 291.6347",
            ])
    }

    /// A fixed fleet far below its load for two hours: the planner preempts and degrades on every step, and the
    /// queue is longer than the page the planner is handed.
    @Test func anOverloadedFixedFleet() throws {
        let workload = DiurnalWorkload(durationSeconds: 2 * 3_600, peakConcurrency: 900, peakHour: 1)
            .generate(seed: 21)
        let report = try Simulator(
            workload: workload, fleet: FleetSettings(maxWorkers: 60),
            settings: SimulationSettings(seed: 21, comparePacking: false)
        ).run(policies: [.fixed(workers: 60)])
        #expect(
            report.policies.map(Self.summary) == [
                "fixed-60 session_aware done 16693/16693 failed 0 spot 0 wait 1097.225/9541.735 p95 14.216/3250.950/9504.781 missed 0/5384/4937 util 0.84699 gpu-h 286.2500 spot 0.0000 cost 230.4312 scale 0 peak 60 preempted 85 degraded 4207 timeline 188598/3480/198344.082"
            ])
    }

    /// Two clouds: demand attributed and jobs pinned by the production `PoolDemand`, inputs charged per provider.
    @Test func theSmallDayOverTwoClouds() throws {
        let report = try TwoCloudsTests.run(TwoCloudsTests.clouds())
        var lines = report.policies.map(Self.summary)
        for policy in report.policies {
            for provider in policy.providers ?? [] {
                lines.append(
                    "\(policy.policy) \(provider.provider) "
                        + String(
                            format: "gpu-h %.4f cost %.4f egress %.4f attempts %d remote %d", provider.gpuHours,
                            provider.cost, provider.egressCost, provider.attempts,
                            provider.attemptsWithRemoteInput))
            }
        }
        #expect(
            lines == [
                "hpa session_aware done 2255/2255 failed 143 spot 0 wait 8.512/243.488 p95 14.728/150.000/210.078 missed 0/0/0 util 0.82859 gpu-h 54.8625 spot 0.0000 cost 42.1384 scale 117 peak 40 preempted 43 degraded 105 timeline 64661/13167/12139.275",
                "predictive+cost session_aware done 2255/2255 failed 148 spot 15 wait 8.570/251.635 p95 14.387/22.311/240.000 missed 0/0/0 util 0.80459 gpu-h 56.2292 spot 0.6177 cost 27.2093 scale 35 peak 27 preempted 77 degraded 33 timeline 65457/13495/18029.857",
                "hpa aws gpu-h 33.5375 cost 26.9977 egress 0.0000 attempts 1634 remote 318",
                "hpa gcp gpu-h 21.3250 cost 15.1408 egress 0.0000 attempts 807 remote 185",
                "predictive+cost aws gpu-h 35.7833 cost 18.4225 egress 0.0000 attempts 1621 remote 295",
                "predictive+cost gcp gpu-h 20.4458 cost 8.7868 egress 0.0000 attempts 874 remote 219",
            ])
    }
}
