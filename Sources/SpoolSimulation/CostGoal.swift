/// How the predictive + cost policy did against the HPA rule on the same workload: what it cost and used relative
/// to HPA, and whether it kept every class's SLO while doing so (a cheaper policy that lets jobs wait is no win).
public struct CostGoal: Sendable, Codable, Equatable {
    public var policy: String
    public var costRatioVsHPA: Double
    public var gpuHoursRatioVsHPA: Double
    public var sloViolations: Int

    /// Nil unless both the HPA rule and the predictive + cost policy ran.
    public init?(policies: [PolicyReport]) {
        let cost = ScalingPolicy.predictiveCost.name
        guard let hpa = policies.first(where: { $0.policy == ScalingPolicy.hpa.name && $0.sharing == .sessionAware }),
            let chosen = policies.first(where: { $0.policy == cost }), hpa.cost > 0, hpa.gpuHours > 0
        else { return nil }
        policy = cost
        costRatioVsHPA = chosen.cost / hpa.cost
        gpuHoursRatioVsHPA = chosen.gpuHours / hpa.gpuHours
        sloViolations = chosen.sloViolations.total
    }

    private enum CodingKeys: String, CodingKey {
        case policy
        case costRatioVsHPA = "cost_ratio_vs_hpa"
        case gpuHoursRatioVsHPA = "gpu_hours_ratio_vs_hpa"
        case sloViolations = "slo_violations"
    }
}
