import Foundation
import SpoolAutoscaling
import SpoolCore

/// What the pool manager remembers between evaluations: one autoscaler per pool (its windows and history), pools
/// whose workers were released, the workers seen last time (to notice spot interruptions), and the last entry
/// logged per pool (so an unchanged "keep" is not logged every ten seconds).
struct PoolManagerState {
    var autoscalers: [String: Autoscaler] = [:]
    var released: Set<String> = []
    var seenWorkers: [String: Set<WorkerID>] = [:]
    /// Of those, the ones that said they run on-demand: leaving unasked is no spot interruption.
    var seenOnDemand: [String: Set<WorkerID>] = [:]
    var lastSpotInterruption: [String: Date] = [:]
    var lastLogged: [String: String] = [:]
    /// The demand import each pool's autoscaler was made after; a newer import makes it anew.
    var demandImports: [String: Date] = [:]

    /// The pool's autoscaler, made anew when its policy changed (a resize: bounds apply at once) or when this manager
    /// has none yet (it just started or took over). A new one starts from the pool's stored demand history, read
    /// only then, so its forecast is the one the previous autoscaler had.
    mutating func autoscaler(
        for pool: String, policy: AutoscalerPolicy, importedAt: Date? = nil, now: Date,
        history: () async throws -> [DemandSample]
    ) async rethrows -> Autoscaler {
        if let existing = autoscalers[pool], existing.policy == policy, demandImports[pool] == importedAt {
            return existing
        }
        demandImports[pool] = importedAt
        let fresh = Autoscaler(
            policy: policy, demandHistory: policy.predictive == nil ? [] : try await history(), now: now)
        autoscalers[pool] = fresh
        return fresh
    }

    mutating func forget(_ pool: String) {
        autoscalers[pool] = nil
        released.remove(pool)
        seenWorkers[pool] = nil
        seenOnDemand[pool] = nil
        lastSpotInterruption[pool] = nil
        lastLogged[pool] = nil
        demandImports[pool] = nil
    }
}
