/// What to do with a job that has waited long on a saturated pool, and why, in words for an operator.
public struct DegradationDecision: Sendable, Equatable, CustomStringConvertible {
    public enum Action: Sendable, Equatable, Hashable {
        case keepWaiting
        case moveToPool(String)
        /// Encode the same outputs with `EncoderSpeed.faster`.
        case encodeFaster
    }

    public var action: Action
    public var reason: String

    public init(action: Action, reason: String) {
        self.action = action
        self.reason = reason
    }

    public var description: String {
        switch action {
        case .keepWaiting: "keep waiting: \(reason)"
        case .moveToPool(let pool): "move to pool \(pool): \(reason)"
        case .encodeFaster: "encode faster: \(reason)"
        }
    }
}
