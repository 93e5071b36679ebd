import Foundation
import SpoolScheduling

/// Replays one workload against several scaling policies on the same modelled fleet and reports them side by side.
/// Pure and deterministic: virtual time only, randomness from the settings' seed.
public struct Simulator: Sendable {
    public var workload: Workload
    public var fleet: FleetSettings
    public var settings: SimulationSettings
    /// A fleet over several clouds instead of the one pool of `fleet`: each pool scaled by its own autoscaler, cost
    /// reported per provider. The packing comparison is not made for it.
    public var cloud: CloudFleet?

    public init(
        workload: Workload, fleet: FleetSettings = FleetSettings(), settings: SimulationSettings = .init(),
        cloud: CloudFleet? = nil
    ) {
        self.workload = workload
        self.fleet = cloud?.pools.first?.fleet ?? fleet
        self.settings = settings
        self.cloud = cloud
    }

    /// The standard comparison: the three autoscaled policies and a fixed fleet sized for the offered peak.
    public var standardPolicies: [ScalingPolicy] {
        let peak = OfferedLoad(workload, intervalSeconds: settings.forecastIntervalSeconds).peak
        let perWorker = Double(fleet.slotsPerWorker) * fleet.targetUtilisation
        let most = cloud?.pools.reduce(0) { $0 + $1.fleet.maxWorkers } ?? fleet.maxWorkers
        let sized = min(max(Int((peak / max(perWorker, 1e-9)).rounded(.up)), 1), most)
        return [.hpa, .predictive, .predictiveCost, .fixed(workers: sized)]
    }

    /// Runs `policies` (the standard four when nil) and, when the settings ask, the packing comparison. `progress`,
    /// when given, follows the runs as they go (for a display); it changes nothing in the report.
    public func run(policies: [ScalingPolicy]? = nil, progress: SimulationProgress? = nil)
        throws(SchedulerConfigurationError) -> SimulationReport
    {
        let chosen = policies ?? standardPolicies
        let forecastLoad = OfferedLoad(workload, intervalSeconds: settings.forecastIntervalSeconds)
        let chartLoad = OfferedLoad(workload, intervalSeconds: settings.timelineBucketSeconds)
        var planned = chosen.map { (policy: $0, fleet: fleet) }
        if settings.comparePacking && cloud == nil {
            // The HPA run among the policies is the session-aware side when it was asked for.
            if !chosen.contains(.hpa) { planned.append((.hpa, fleet)) }
            planned.append((.hpa, fleet.withWholeGPUs()))
        }
        let runs = planned
        // Runs that leave a core each to spare (one run on two cores, the fleet-scale run) lend their planners a
        // second thread.
        let spareCore = runs.count * 2 <= ProcessInfo.processInfo.activeProcessorCount
        progress?.begin(runs: runs.count, durationSeconds: workload.durationSeconds)
        // The runs share nothing, so they go in parallel; each is deterministic on its own.
        let results = ParallelRuns.map(runs.count) { index in
            var reporting: ((Double) -> Void)?
            if let progress {
                reporting = { progress.report(run: index, reachedSeconds: $0) }
            }
            let result = Result { () throws(SchedulerConfigurationError) in
                try runOne(
                    runs[index].policy, fleet: runs[index].fleet, load: forecastLoad, spareCore: spareCore,
                    reporting: reporting)
            }
            progress?.finish(run: index)
            return result
        }
        var all: [PolicyReport] = []
        for result in results {
            all.append(try result.get())
        }
        let reports = Array(all.prefix(chosen.count))
        var packing: PackingComparison?
        if settings.comparePacking, cloud == nil, let whole = all.last,
            let shared = all.first(where: { $0.policy == ScalingPolicy.hpa.name && $0.sharing == .sessionAware })
        {
            packing = PackingComparison(
                policy: ScalingPolicy.hpa.name, sessionAware: shared, wholeGPU: whole,
                gpusPerWorker: fleet.gpusPerWorker)
        }
        return SimulationReport(
            seed: settings.seed,
            workload: .init(
                name: workload.name, jobs: workload.jobs.count, hours: workload.durationSeconds / 3_600,
                peakOfferedLoad: chartLoad.peak, outages: workload.outages),
            fleet: fleet, tickSeconds: settings.tickSeconds, timelineBucketSeconds: settings.timelineBucketSeconds,
            sloTargets: settings.sloTargets, schedulingProfile: settings.schedulingProfile.name, policies: reports,
            offeredLoad: chartLoad.meanConcurrency, packing: packing, costGoal: CostGoal(policies: reports),
            cloud: cloud)
    }

    private func runOne(
        _ policy: ScalingPolicy, fleet: FleetSettings, load: OfferedLoad, spareCore: Bool,
        reporting: ((Double) -> Void)?
    ) throws(SchedulerConfigurationError) -> PolicyReport {
        var simulation = try PolicySimulation(
            workload: workload, fleet: fleet, settings: settings, policy: policy, offeredLoad: load, cloud: cloud)
        if spareCore { simulation.lendPlannerAHelper() }
        return simulation.run(reporting: reporting)
    }
}
