import Foundation
import SpoolCore

/// Applies a class's degradation policy to one waiting job. A job degrades only when all hold: it allows it, it has
/// waited longer than its class's target, and its pool is saturated (if the pool has room, the wait is about to end
/// anyway and degrading would just lose quality). Degrading changes how the outputs are made, never which.
public struct OverloadDegradation: Sendable {
    public let configuration: DispatchConfiguration

    public init(configuration: DispatchConfiguration = .default) {
        self.configuration = configuration
    }

    /// - Parameters:
    ///   - consent: the job's `degradation`; a job that forbids it keeps waiting whatever its class says.
    ///   - currentPool: the pool the job is queued for; a job already there is not moved again.
    ///   - currentSpeed: the encoder effort the job has; a job already encoding faster is not switched again.
    public func decide(
        serviceClass: ServiceClass, waited: TimeInterval, poolIsSaturated: Bool,
        consent: DegradationConsent = .allow, currentPool: String? = nil, currentSpeed: EncoderSpeed = .standard
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
        guard consent == .allow else {
            return DegradationDecision(
                action: .keepWaiting, reason: "\(overdue); the job forbids degradation, so it waits at full quality")
        }
        switch policy.degradation {
        case .wait:
            return DegradationDecision(action: .keepWaiting, reason: "\(overdue); \(name) waits rather than degrade")
        case .moveToPool(let pool):
            guard pool != currentPool else {
                return DegradationDecision(action: .keepWaiting, reason: "\(overdue); already queued for \(pool)")
            }
            return DegradationDecision(action: .moveToPool(pool), reason: "\(overdue); moving to \(pool)")
        case .fasterEncoding:
            guard currentSpeed != .faster else {
                return DegradationDecision(action: .keepWaiting, reason: "\(overdue); already encoding faster")
            }
            return DegradationDecision(
                action: .encodeFaster,
                reason: "\(overdue); encoding the same outputs with the faster encoder setting")
        }
    }

    public func decide(
        for job: WaitingJob, now: Date, poolIsSaturated: Bool, consent: DegradationConsent = .allow,
        currentPool: String? = nil, currentSpeed: EncoderSpeed = .standard
    ) -> DegradationDecision {
        decide(
            serviceClass: job.serviceClass, waited: now.timeIntervalSince(job.enqueuedAt),
            poolIsSaturated: poolIsSaturated, consent: consent, currentPool: currentPool, currentSpeed: currentSpeed)
    }

    private static func seconds(_ interval: TimeInterval) -> String {
        guard interval.isFinite, abs(interval) < 1e12 else { return "\(interval) s" }
        let rounded = (interval * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) s" : "\(rounded) s"
    }
}
