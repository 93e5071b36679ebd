import Foundation
import SpoolCore

/// Everything dispatch ordering, admission, degradation and preemption are tuned by. Built only through the
/// validating initialiser (or decoded, which validates too), so a value in hand always makes sense.
public struct DispatchConfiguration: Sendable, Equatable {
    /// One policy per service class; classes the caller leaves out get their defaults.
    public let policies: [ServiceClass: ServiceClassPolicy]
    public let fairness: FairnessAlgorithm
    /// Tenants not listed weigh `defaultTenantWeight`.
    public let tenantWeights: [TenantID: Double]
    public let defaultTenantWeight: Double
    /// What a weight-1 tenant earns per deficit-round-robin turn, in the units of `WaitingJob.cost`.
    public let quantum: Double
    /// Priority points a waiting job gains per second it waits.
    public let agingPerSecond: Double
    /// The highest effective priority aging can lift a job to.
    public let agingCap: Double
    public let preemption: PreemptionSettings

    public init(
        policies: [ServiceClass: ServiceClassPolicy] = [:], fairness: FairnessAlgorithm = .weightedFair,
        tenantWeights: [TenantID: Double] = [:], defaultTenantWeight: Double = 1, quantum: Double = 1,
        agingPerSecond: Double = 0.1, agingCap: Double = 200, preemption: PreemptionSettings = .default
    ) throws(DispatchConfigurationError) {
        self.init(
            unchecked: policies, fairness: fairness, tenantWeights: tenantWeights,
            defaultTenantWeight: defaultTenantWeight, quantum: quantum, agingPerSecond: agingPerSecond,
            agingCap: agingCap, preemption: preemption)
        try validate()
    }

    private init(
        unchecked policies: [ServiceClass: ServiceClassPolicy], fairness: FairnessAlgorithm,
        tenantWeights: [TenantID: Double], defaultTenantWeight: Double, quantum: Double, agingPerSecond: Double,
        agingCap: Double, preemption: PreemptionSettings
    ) {
        var complete = policies
        for serviceClass in ServiceClass.allCases where complete[serviceClass] == nil {
            complete[serviceClass] = ServiceClassPolicy.defaultPolicy(for: serviceClass)
        }
        self.policies = complete
        self.fairness = fairness
        self.tenantWeights = tenantWeights
        self.defaultTenantWeight = defaultTenantWeight
        self.quantum = quantum
        self.agingPerSecond = agingPerSecond
        self.agingCap = agingCap
        self.preemption = preemption
    }

    /// Realtime, standard and batch with their default policies, weighted fair sharing with equal weights, a
    /// priority point per 10 s of waiting up to 200, and preemption that protects a job evicted twice for 10 min.
    public static let `default` = DispatchConfiguration(
        unchecked: [:], fairness: .weightedFair, tenantWeights: [:], defaultTenantWeight: 1, quantum: 1,
        agingPerSecond: 0.1, agingCap: 200, preemption: .default)

    public func policy(for serviceClass: ServiceClass) -> ServiceClassPolicy {
        policies[serviceClass] ?? ServiceClassPolicy.defaultPolicy(for: serviceClass)
    }

    public func rank(of serviceClass: ServiceClass) -> Int { policy(for: serviceClass).rank }

    public func weight(of tenant: TenantID) -> Double { tenantWeights[tenant] ?? defaultTenantWeight }

    /// Classes in the order they are served; equal ranks fall back to declaration order so the order is stable.
    public var classesByRank: [ServiceClass] {
        ServiceClass.allCases.enumerated()
            .sorted { (rank(of: $0.element), $0.offset) < (rank(of: $1.element), $1.offset) }
            .map(\.element)
    }

    public var aging: Aging { Aging(perSecond: agingPerSecond, cap: agingCap) }

    /// Checks every rule a decoded or hand-built configuration must meet. Comparisons are written so NaN fails them.
    public func validate() throws(DispatchConfigurationError) {
        var totalShare = 0.0
        for serviceClass in ServiceClass.allCases {
            let policy = policy(for: serviceClass)
            guard policy.reservedShare >= 0, policy.reservedShare <= 1 else {
                throw .reservedShareOutOfRange(serviceClass, policy.reservedShare)
            }
            guard policy.targetWait >= 0, policy.targetWait.isFinite else {
                throw .targetWaitNegative(serviceClass, policy.targetWait)
            }
            switch policy.degradation {
            case .wait, .fasterEncoding: break
            case .moveToPool(let name):
                guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw .emptyDegradationTarget(serviceClass)
                }
            }
            totalShare += policy.reservedShare
        }
        // A little slack so 0.7 + 0.2 + 0.1 is not refused for floating-point rounding.
        guard totalShare <= 1 + 1e-9 else { throw .reservedSharesExceedCapacity(total: totalShare) }
        for (tenant, weight) in tenantWeights.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard weight > 0, weight.isFinite else { throw .tenantWeightNotPositive(tenant, weight) }
        }
        guard defaultTenantWeight > 0, defaultTenantWeight.isFinite else {
            throw .defaultTenantWeightNotPositive(defaultTenantWeight)
        }
        guard quantum > 0, quantum.isFinite else { throw .quantumNotPositive(quantum) }
        guard agingPerSecond >= 0, agingPerSecond.isFinite else { throw .agingRateNegative(agingPerSecond) }
        guard agingCap >= Double(DispatchConfigurationError.highestPriority), agingCap.isFinite else {
            throw .agingCapBelowHighestPriority(agingCap)
        }
        guard preemption.protectAfterEvictions >= 1 else {
            throw .protectAfterEvictionsBelowOne(preemption.protectAfterEvictions)
        }
        guard preemption.protectionSeconds >= 0, preemption.protectionSeconds.isFinite else {
            throw .protectionSecondsNegative(preemption.protectionSeconds)
        }
    }
}
