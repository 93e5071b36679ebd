/// How tenants of one service class take turns.
public enum FairnessAlgorithm: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// One job per tenant in turn, whatever the jobs cost or the tenants' weights.
    case roundRobin = "round_robin"
    /// Deficit round robin: each turn a tenant earns `quantum × weight` and spends each job's cost, so tenants
    /// share by cost in proportion to their weights.
    case weightedFair = "weighted_fair"
    /// Each pick draws a tenant with probability proportional to its weight: shares by job count, only on average.
    case lottery
}
