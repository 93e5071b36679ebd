import Foundation
import SpoolCore

/// A dispatch configuration that cannot work. `field` names the JSON key to change; `description` says how.
public enum DispatchConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownServiceClass(String)
    case reservedShareOutOfRange(ServiceClass, Double)
    case reservedSharesExceedCapacity(total: Double)
    case targetWaitNegative(ServiceClass, Double)
    case unknownDegradationKind(String)
    case missingDegradationTarget(kind: String, key: String)
    case emptyDegradationTarget(ServiceClass)
    /// A degradation kind that changed the outputs a client asked for; no longer offered.
    case outputChangingDegradation(String)
    case unknownFairnessAlgorithm(String)
    case tenantWeightNotPositive(TenantID, Double)
    case defaultTenantWeightNotPositive(Double)
    case quantumNotPositive(Double)
    case agingRateNegative(Double)
    case agingCapBelowHighestPriority(Double)
    case protectAfterEvictionsBelowOne(Int)
    case protectionSecondsNegative(Double)

    /// The highest priority a job can ask for; aging must be able to lift every job at least this far.
    public static let highestPriority = 100

    public var field: String {
        switch self {
        case .unknownServiceClass: "classes"
        case .reservedShareOutOfRange(let serviceClass, _): "classes.\(serviceClass.rawValue).reserved_share"
        case .reservedSharesExceedCapacity: "classes.*.reserved_share"
        case .targetWaitNegative(let serviceClass, _): "classes.\(serviceClass.rawValue).target_wait_seconds"
        case .unknownDegradationKind, .outputChangingDegradation: "classes.*.degradation.kind"
        case .missingDegradationTarget(_, let key): "classes.*.degradation.\(key)"
        case .emptyDegradationTarget(let serviceClass): "classes.\(serviceClass.rawValue).degradation"
        case .unknownFairnessAlgorithm: "fairness"
        case .tenantWeightNotPositive(let tenant, _): "tenant_weights.\(tenant.rawValue)"
        case .defaultTenantWeightNotPositive: "default_tenant_weight"
        case .quantumNotPositive: "quantum"
        case .agingRateNegative: "aging_per_second"
        case .agingCapBelowHighestPriority: "aging_cap"
        case .protectAfterEvictionsBelowOne: "preemption.protect_after_evictions"
        case .protectionSecondsNegative: "preemption.protection_seconds"
        }
    }

    public var description: String {
        "\(field): " + advice
    }

    private var advice: String {
        let classNames = ServiceClass.allCases.map(\.rawValue).joined(separator: ", ")
        let degradationKinds = DegradationPolicy.Kind.allCases.map(\.rawValue).joined(separator: ", ")
        let algorithms = FairnessAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
        switch self {
        case .unknownServiceClass(let name):
            return "there is no service class \"\(name)\"; use one of \(classNames)"
        case .reservedShareOutOfRange(_, let share):
            return "\(share) is not a share of capacity; use a number from 0 to 1 (0.2 holds a fifth)"
        case .reservedSharesExceedCapacity(let total):
            return "reserved shares add up to \(total), more than all capacity; lower them so they add up to at most 1"
        case .targetWaitNegative(_, let seconds):
            return "\(seconds) s is negative; use 0 or more seconds"
        case .unknownDegradationKind(let kind):
            return "there is no degradation \"\(kind)\"; use one of \(degradationKinds)"
        case .missingDegradationTarget(let kind, let key):
            return "\"\(kind)\" needs a \"\(key)\" naming where to go"
        case .emptyDegradationTarget:
            return "the pool name is empty; name one, or use {\"kind\": \"wait\"}"
        case .outputChangingDegradation(let kind):
            return "\"\(kind)\" replaced the outputs a client asked for and is gone; use \"faster_encoding\" "
                + "(the same outputs, encoded faster), \"move_to_pool\" or \"wait\""
        case .unknownFairnessAlgorithm(let name):
            return "there is no fairness algorithm \"\(name)\"; use one of \(algorithms)"
        case .tenantWeightNotPositive(_, let weight), .defaultTenantWeightNotPositive(let weight):
            return "weight \(weight) would starve the tenant or break sharing; use a number above 0"
        case .quantumNotPositive(let quantum):
            return "\(quantum) would let no tenant ever afford a job; use a number above 0, in job-cost units"
        case .agingRateNegative(let rate):
            return "\(rate) would make waiting jobs sink; use 0 (no aging) or more priority points per second"
        case .agingCapBelowHighestPriority(let cap):
            return
                "\(cap) is below the highest priority \(Self.highestPriority), so old low-priority jobs could starve "
                + "behind new high-priority ones; use at least \(Self.highestPriority)"
        case .protectAfterEvictionsBelowOne(let count):
            return "\(count) would protect jobs that were never evicted; use 1 or more"
        case .protectionSecondsNegative(let seconds):
            return "\(seconds) s is negative; use 0 or more seconds"
        }
    }
}
