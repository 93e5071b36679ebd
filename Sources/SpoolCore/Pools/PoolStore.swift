import Foundation

/// Durable pool specs and the autoscaler's decision log, beside the jobs in the same store.
public protocol PoolStore: Sendable {
    /// Every pool created through the API, by name.
    func pools() async throws -> [PoolSpec]
    /// Stores a new pool; throws `PoolStoreError.exists` when the name is taken.
    func createPool(_ pool: PoolSpec) async throws
    /// Replaces a pool's spec; throws `PoolStoreError.notFound` when there is no such pool.
    func updatePool(_ pool: PoolSpec) async throws
    /// Removes a pool's spec; no-op when it is gone already.
    func deletePool(named name: String) async throws
    /// Appends one autoscaler decision, keeping the newest `keep` of the pool.
    func recordScalingDecision(_ record: ScalingRecord, keep: Int) async throws
    /// The newest decisions of one pool (or of all pools), newest first.
    func scalingDecisions(pool: String?, limit: Int) async throws -> [ScalingRecord]
    /// Adds samples to a pool's demand history (a sample for an interval start already there replaces it) and drops
    /// those that started before `keepFrom`.
    func recordDemand(_ samples: [DemandSample], pool: String, keepFrom: Date) async throws
    /// A pool's demand history, oldest first.
    func demandHistory(pool: String) async throws -> [DemandSample]
}

extension PoolStore {
    public func pool(named name: String) async throws -> PoolSpec? {
        try await pools().first { $0.name == name }
    }
}

/// One recorded autoscaler decision. The body is the decision as JSON, kept opaque so the store does not depend on
/// the autoscaler's types.
public struct ScalingRecord: Sendable, Equatable {
    public var pool: String
    public var time: Date
    public var json: String

    public init(pool: String, time: Date, json: String) {
        self.pool = pool
        self.time = time
        self.json = json
    }
}

public enum PoolStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case exists(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .exists(let name): "a pool named \(name) exists already; resize it, or choose another name"
        case .notFound(let name): "no pool named \(name); `spool pools` lists them"
        }
    }
}
