import SpoolDispatch
import SpoolScheduling

/// How the simulator places: the very `PlacementPlanner` the placement service runs, built the same way.
public enum SimulatedPlacement {
    /// The planner the placement service runs, built the same way: the profile's filter/score cycle and the
    /// dispatch policy (classes, fair share, preemption, degradation). A simulation explains nothing (no one reads
    /// it), unless `explanationRefresh` asks, as a comparison with the service's plans does.
    ///
    /// `cyclesPerStep`: how many of the service's cycles one simulated step stands for. The service looks for
    /// preemption victims for a few waiting jobs per cycle, several cycles a second; a step of many seconds that
    /// allowed only one cycle's worth would leave realtime jobs waiting for want of searches, not of capacity.
    public static func makePlanner(
        profile: SchedulingProfile, dispatch: DispatchConfiguration, seed: UInt64,
        explanationRefresh: Duration? = nil, cyclesPerStep: Int = 1
    ) throws(SchedulerConfigurationError) -> PlacementPlanner {
        let perCycle = PlannerSettings().preemptionCandidates
        return PlacementPlanner(
            cycle: try SchedulingCycle(profile: profile, explainLimit: explanationRefresh == nil ? 0 : 10, seed: seed),
            settings: PlannerSettings(
                dispatch: dispatch, explanationRefresh: explanationRefresh,
                preemptionCandidates: perCycle * max(cyclesPerStep, 1)),
            seed: seed)
    }

    /// The placement service's default cycle: a simulated step of `tickSeconds` stands for this many of them.
    public static func cycles(inStepOf tickSeconds: Double) -> Int {
        let cycle = 0.2
        return max(1, Int((tickSeconds / cycle).rounded()))
    }

}
