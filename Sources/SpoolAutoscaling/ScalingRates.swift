/// One HPA-style rate policy: at most `value` workers (or percent of the workers at the start of the period) per
/// `periodSeconds`.
public struct ScalingRatePolicy: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case workers
        case percent
    }

    public var kind: Kind
    public var value: Int
    public var periodSeconds: Double

    public init(kind: Kind, value: Int, periodSeconds: Double) {
        self.kind = kind
        self.value = value
        self.periodSeconds = periodSeconds
    }

    public static func workers(_ value: Int, per periodSeconds: Double) -> ScalingRatePolicy {
        ScalingRatePolicy(kind: .workers, value: value, periodSeconds: periodSeconds)
    }

    public static func percent(_ value: Int, per periodSeconds: Double) -> ScalingRatePolicy {
        ScalingRatePolicy(kind: .percent, value: value, periodSeconds: periodSeconds)
    }

    private enum CodingKeys: String, CodingKey {
        case kind, value
        case periodSeconds = "period_seconds"
    }
}

/// How several rate policies of one direction combine, as HPA's `selectPolicy`.
public enum RatePolicySelection: String, Sendable, Codable {
    /// The policy that allows the largest change wins.
    case max
    /// The policy that allows the smallest change wins.
    case min
}

/// How fast the pool may grow and shrink.
public struct ScalingRates: Sendable, Codable, Equatable {
    public var scaleUp: [ScalingRatePolicy]
    public var scaleUpSelection: RatePolicySelection
    public var scaleDown: [ScalingRatePolicy]
    public var scaleDownSelection: RatePolicySelection

    public init(
        scaleUp: [ScalingRatePolicy] = [.percent(100, per: 15), .workers(4, per: 15)],
        scaleUpSelection: RatePolicySelection = .max,
        scaleDown: [ScalingRatePolicy] = [.percent(10, per: 60)],
        scaleDownSelection: RatePolicySelection = .max
    ) {
        self.scaleUp = scaleUp
        self.scaleUpSelection = scaleUpSelection
        self.scaleDown = scaleDown
        self.scaleDownSelection = scaleDownSelection
    }

    private enum CodingKeys: String, CodingKey {
        case scaleUp = "scale_up"
        case scaleUpSelection = "scale_up_selection"
        case scaleDown = "scale_down"
        case scaleDownSelection = "scale_down_selection"
    }
}
