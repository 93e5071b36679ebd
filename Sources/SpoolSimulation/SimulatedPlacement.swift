import SpoolDispatch
import SpoolScheduling

/// How the simulator places: the very `PlacementPlanner` the placement service runs, built the same way.
public enum SimulatedPlacement {
    /// The planner the placement service runs, built the same way: the profile's filter/score cycle and the
    /// dispatch policy (classes, fair share, preemption, degradation). A simulation explains nothing (no one reads
    /// it), unless `explanationRefresh` asks, as a comparison with the service's plans does.
    public static func makePlanner(
        profile: SchedulingProfile, dispatch: DispatchConfiguration, seed: UInt64,
        explanationRefresh: Duration? = nil
    ) throws(SchedulerConfigurationError) -> PlacementPlanner {
        PlacementPlanner(
            cycle: try SchedulingCycle(profile: profile, explainLimit: explanationRefresh == nil ? 0 : 10, seed: seed),
            settings: PlannerSettings(dispatch: dispatch, explanationRefresh: explanationRefresh), seed: seed)
    }

}
