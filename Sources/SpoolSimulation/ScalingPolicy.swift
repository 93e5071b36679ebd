import SpoolAutoscaling

/// A way of sizing the pool, compared side by side on the same workload.
public enum ScalingPolicy: Sendable, Equatable, Hashable {
    /// The HPA rule alone: backlog per worker against a target, stabilization, rates. The reference.
    case hpa
    /// The HPA rule plus a Holt-Winters forecast one boot time ahead.
    case predictive
    /// The forecast plus cost: scale-ups must save more wait than they cost, on spot when the class allows.
    case predictiveCost
    /// A fleet of this many workers that never changes.
    case fixed(workers: Int)

    public var name: String {
        switch self {
        case .hpa: "hpa"
        case .predictive: "predictive"
        case .predictiveCost: "predictive+cost"
        case .fixed(let workers): "fixed-\(workers)"
        }
    }

    public init?(name: String) {
        switch name {
        case "hpa": self = .hpa
        case "predictive": self = .predictive
        case "predictive+cost": self = .predictiveCost
        default:
            guard name.hasPrefix("fixed-"), let workers = Int(name.dropFirst("fixed-".count)), workers > 0 else {
                return nil
            }
            self = .fixed(workers: workers)
        }
    }
}
