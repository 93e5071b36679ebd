import Foundation
import SpoolAPIModels
import SpoolCore

/// What one planning step decided. The placement service commits it in one batch; the simulator applies it to its
/// virtual fleet. Both get it from the same `PlacementPlanner`.
public struct PlacementPlan: Sendable, Equatable {
    /// New placements, each on the job version the view read.
    public var placements: [PlacementCommit] = []
    /// Beside `placements`: where each one's worker stands in the fleet snapshot the step planned on, so a caller
    /// that keeps that snapshot (the simulator) need not find the worker again by its ID.
    public var placementWorkers: [Int] = []
    /// Unclaimed placements on workers that are gone: their jobs wait again.
    public var withdrawals: [JobID] = []
    /// Running jobs of lower classes to requeue (no failure) so a waiting job of a higher class fits.
    public var preemptions: [PlannedPreemption] = []
    /// Waiting jobs made cheaper to place: another pool or a faster encoder setting, never other outputs.
    public var degradations: [PlannedDegradation] = []
    /// Explanations due for saving (`GET /v1/jobs/{id}/placement`).
    public var explanations: [PlannedExplanation] = []
    /// Waiting jobs the step looked at (after concurrency quotas), and how many of them still wait.
    public var considered = 0
    public var stillWaiting = 0

    public init() {}
}

public struct PlannedPreemption: Sendable, Equatable {
    public var victim: JobID
    /// The waiting job the room is made for; it is placed on a later step, once the victim has stopped.
    public var beneficiary: JobID
    public var reason: String

    public init(victim: JobID, beneficiary: JobID, reason: String) {
        self.victim = victim
        self.beneficiary = beneficiary
        self.reason = reason
    }
}

public struct PlannedDegradation: Sendable, Equatable {
    public var job: JobID
    public var degradation: Degradation

    public init(job: JobID, degradation: Degradation) {
        self.job = job
        self.degradation = degradation
    }
}

public struct PlannedExplanation: Sendable, Equatable {
    public var job: JobID
    public var explanation: PlacementExplanation

    public init(job: JobID, explanation: PlacementExplanation) {
        self.job = job
        self.explanation = explanation
    }
}
