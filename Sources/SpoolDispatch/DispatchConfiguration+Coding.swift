import Foundation
import SpoolCore

/// JSON with snake_case keys. Every key is optional and a class may list only the fields it changes, so a file
/// states just its differences from the defaults; decoding validates, so nonsense fails with the field to fix.
extension DispatchConfiguration: Codable {
    enum CodingKeys: String, CodingKey {
        case classes, fairness, quantum, preemption
        case tenantWeights = "tenant_weights"
        case defaultTenantWeight = "default_tenant_weight"
        case agingPerSecond = "aging_per_second"
        case agingCap = "aging_cap"
    }

    /// A class entry in a file: whatever it leaves out keeps the class's default.
    private struct PolicyOverrides: Decodable {
        var rank: Int?
        var reservedShare: Double?
        var targetWait: TimeInterval?
        var degradation: DegradationPolicy?

        enum CodingKeys: String, CodingKey {
            case rank, degradation
            case reservedShare = "reserved_share"
            case targetWait = "target_wait_seconds"
        }

        func applied(to base: ServiceClassPolicy) -> ServiceClassPolicy {
            ServiceClassPolicy(
                rank: rank ?? base.rank, reservedShare: reservedShare ?? base.reservedShare,
                targetWait: targetWait ?? base.targetWait, degradation: degradation ?? base.degradation)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = DispatchConfiguration.default

        var policies: [ServiceClass: ServiceClassPolicy] = [:]
        let overrides = try container.decodeIfPresent([String: PolicyOverrides].self, forKey: .classes) ?? [:]
        for (name, override) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let serviceClass = ServiceClass(rawValue: name) else {
                throw DispatchConfigurationError.unknownServiceClass(name)
            }
            policies[serviceClass] = override.applied(to: defaults.policy(for: serviceClass))
        }

        var fairness = defaults.fairness
        if let name = try container.decodeIfPresent(String.self, forKey: .fairness) {
            guard let algorithm = FairnessAlgorithm(rawValue: name) else {
                throw DispatchConfigurationError.unknownFairnessAlgorithm(name)
            }
            fairness = algorithm
        }

        let weightsByName = try container.decodeIfPresent([String: Double].self, forKey: .tenantWeights) ?? [:]
        let tenantWeights = Dictionary(
            uniqueKeysWithValues: weightsByName.map { (TenantID(rawValue: $0.key), $0.value) })

        try self.init(
            policies: policies, fairness: fairness, tenantWeights: tenantWeights,
            defaultTenantWeight: try container.decodeIfPresent(Double.self, forKey: .defaultTenantWeight)
                ?? defaults.defaultTenantWeight,
            quantum: try container.decodeIfPresent(Double.self, forKey: .quantum) ?? defaults.quantum,
            agingPerSecond: try container.decodeIfPresent(Double.self, forKey: .agingPerSecond)
                ?? defaults.agingPerSecond,
            agingCap: try container.decodeIfPresent(Double.self, forKey: .agingCap) ?? defaults.agingCap,
            preemption: try container.decodeIfPresent(PreemptionSettings.self, forKey: .preemption)
                ?? defaults.preemption)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let classes = Dictionary(uniqueKeysWithValues: policies.map { ($0.key.rawValue, $0.value) })
        try container.encode(classes, forKey: .classes)
        try container.encode(fairness, forKey: .fairness)
        let weights = Dictionary(uniqueKeysWithValues: tenantWeights.map { ($0.key.rawValue, $0.value) })
        try container.encode(weights, forKey: .tenantWeights)
        try container.encode(defaultTenantWeight, forKey: .defaultTenantWeight)
        try container.encode(quantum, forKey: .quantum)
        try container.encode(agingPerSecond, forKey: .agingPerSecond)
        try container.encode(agingCap, forKey: .agingCap)
        try container.encode(preemption, forKey: .preemption)
    }
}
