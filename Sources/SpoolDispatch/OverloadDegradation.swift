import Foundation
import SpoolCore

/// Applies a class's degradation policy to one waiting job. A job degrades only when both hold: it has waited
/// longer than its class's target, and its pool is saturated (if the pool has room, the wait is about to end
/// anyway and degrading would just lose quality).
public struct OverloadDegradation: Sendable {
    public let configuration: DispatchConfiguration

    public init(configuration: DispatchConfiguration = .default) {
        self.configuration = configuration
    }

    /// - Parameters:
    ///   - currentPool: the pool the job is queued for; a job already there is not moved again.
    ///   - currentPreset: the preset the job uses; a job already on the cheaper preset is not switched again.
    public func decide(
        serviceClass: ServiceClass, waited: TimeInterval, poolIsSaturated: Bool, currentPool: String? = nil,
        currentPreset: String? = nil
    ) -> DegradationDecision {
        let policy = configuration.policy(for: serviceClass)
        let name = serviceClass.rawValue
        let waitedText = Self.seconds(waited)
        let targetText = Self.seconds(policy.targetWait)
        guard waited > policy.targetWait else {
            return DegradationDecision(
                action: .keepWaiting, reason: "waited \(waitedText), within \(name)'s target of \(targetText)")
        }
        guard poolIsSaturated else {
            return DegradationDecision(
                action: .keepWaiting,
                reason: "waited \(waitedText), past \(name)'s target of \(targetText), but the pool has room")
        }
        let overdue = "waited \(waitedText) on a saturated pool, past \(name)'s target of \(targetText)"
        switch policy.degradation {
        case .wait:
            return DegradationDecision(action: .keepWaiting, reason: "\(overdue); \(name) waits rather than degrade")
        case .moveToPool(let pool):
            guard pool != currentPool else {
                return DegradationDecision(action: .keepWaiting, reason: "\(overdue); already queued for \(pool)")
            }
            return DegradationDecision(action: .moveToPool(pool), reason: "\(overdue); moving to \(pool)")
        case .cheaperPreset(let preset):
            guard preset != currentPreset else {
                return DegradationDecision(action: .keepWaiting, reason: "\(overdue); already on preset \(preset)")
            }
            return DegradationDecision(action: .switchPreset(preset), reason: "\(overdue); switching to \(preset)")
        }
    }

    public func decide(
        for job: WaitingJob, now: Date, poolIsSaturated: Bool, currentPool: String? = nil,
        currentPreset: String? = nil
    ) -> DegradationDecision {
        decide(
            serviceClass: job.serviceClass, waited: now.timeIntervalSince(job.enqueuedAt),
            poolIsSaturated: poolIsSaturated, currentPool: currentPool, currentPreset: currentPreset)
    }

    private static func seconds(_ interval: TimeInterval) -> String {
        guard interval.isFinite, abs(interval) < 1e12 else { return "\(interval) s" }
        let rounded = (interval * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) s" : "\(rounded) s"
    }
}
