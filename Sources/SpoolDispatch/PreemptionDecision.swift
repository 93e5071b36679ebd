/// The planner's answer: a plan to carry out, or why there is none.
public enum PreemptionDecision: Sendable, Equatable, Hashable, CustomStringConvertible {
    case evict(PreemptionPlan)
    case refuse(PreemptionRefusal)

    public var plan: PreemptionPlan? {
        if case .evict(let plan) = self { return plan }
        return nil
    }

    public var refusal: PreemptionRefusal? {
        if case .refuse(let refusal) = self { return refusal }
        return nil
    }

    public var description: String {
        switch self {
        case .evict(let plan): plan.description
        case .refuse(let refusal): "no preemption: \(refusal)"
        }
    }
}
