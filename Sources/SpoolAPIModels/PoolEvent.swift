import Foundation
import SpoolAutoscaling

/// One entry of a pool's decision log: an autoscaler decision, or a step of draining and removing the pool.
public struct PoolEvent: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// The autoscaler evaluated the pool; `decision` says what and why.
        case autoscale
        /// Draining: running jobs must finish first.
        case waitForJobs = "wait_for_jobs"
        /// The pool's workers were asked to leave.
        case releaseWorkers = "release_workers"
        case waitForWorkers = "wait_for_workers"
        /// The pool is gone; its waiting jobs were moved.
        case removed
    }

    public var pool: String
    public var time: Date
    public var kind: Kind
    public var actuator: String
    public var decision: ScalingDecision?
    /// What happened, in words, for the kinds without a decision.
    public var note: String?
    /// The actuator's error, when carrying the step out failed (it is tried again next evaluation).
    public var error: String?

    public init(
        pool: String, time: Date, kind: Kind, actuator: String, decision: ScalingDecision? = nil, note: String? = nil,
        error: String? = nil
    ) {
        self.pool = pool
        self.time = time
        self.kind = kind
        self.actuator = actuator
        self.decision = decision
        self.note = note
        self.error = error
    }

    public var description: String {
        let body = decision?.description ?? note ?? kind.rawValue
        return error.map { "\(body) — failed: \($0)" } ?? body
    }
}
