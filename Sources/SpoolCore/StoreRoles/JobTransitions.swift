import Foundation

/// Applying `JobLifecycle` events to one job: cancels and retries at the gateway, the scheduler's placements taken
/// back, preemptions and degradations, a worker's commit.
public protocol JobTransitions: Sendable {
    /// Applies an event to one job and returns the transition. Throws `StoreError.lifecycle` if refused.
    @discardableResult
    func apply(_ event: JobEvent, to id: JobID, now: Date) async throws -> Transition
}
