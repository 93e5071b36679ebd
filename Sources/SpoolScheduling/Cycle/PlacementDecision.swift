import SpoolAPIModels
import SpoolCore

/// The outcome of placing one job in a cycle.
public enum PlacementDecision: Sendable, Equatable {
    case placed(JobPlacement)
    case waiting(reason: String)

    public var placement: JobPlacement? {
        if case .placed(let placement) = self { return placement }
        return nil
    }
}

/// A decision with its explanation (when the cycle was asked to explain).
public struct ExplainedDecision: Sendable, Equatable {
    public var job: JobID
    public var decision: PlacementDecision
    public var explanation: PlacementExplanation?
    /// Where the chosen worker stands in the snapshot's `workers`, when placed.
    public var workerIndex: Int?
}
