import Foundation
import SpoolDispatch

/// What a `PlacementPlanner` is tuned by beyond the scheduling profile: the dispatch policy (classes, fairness,
/// preemption, degradation) and how explanations are kept.
public struct PlannerSettings: Sendable, Equatable {
    public var dispatch: DispatchConfiguration
    /// How often the explanation of a job that keeps waiting is refreshed; nil explains nothing (the simulator).
    public var explanationRefresh: Duration?
    /// Waiting jobs that may look for preemption victims in one step (each search walks the fleet).
    public var preemptionCandidates: Int

    public init(
        dispatch: DispatchConfiguration = .default, explanationRefresh: Duration? = .seconds(5),
        preemptionCandidates: Int = 8
    ) {
        self.dispatch = dispatch
        self.explanationRefresh = explanationRefresh
        self.preemptionCandidates = preemptionCandidates
    }
}
