import SpoolCore

/// What a step needs to know of all the held jobs at once: whether a placement must be taken back (not yet claimed,
/// on a worker no longer in the fleet), and how many of them occupy capacity, by class (classes without any left
/// out). The planner counts it from `PlacementView.holding`; a caller that keeps its held jobs in memory (the
/// simulator) can keep it as they come and go and hand it over instead.
public struct HeldSurvey: Sendable, Equatable {
    public var takesBack: Bool
    public var occupyingByClass: [ServiceClass: Int]

    public init(takesBack: Bool, occupyingByClass: [ServiceClass: Int]) {
        self.takesBack = takesBack
        self.occupyingByClass = occupyingByClass
    }

    /// Nothing to take back, and `counts` (realtime, standard, batch) occupying capacity.
    public init(occupying counts: PerServiceClass<Int>) {
        self.init(takesBack: false, occupyingByClass: PlacementPlanner.byClass(counts))
    }
}
