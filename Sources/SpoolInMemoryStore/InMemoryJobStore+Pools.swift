import Foundation
import SpoolCore

/// Pool specs by name and the autoscaler's decision log, trimmed per pool as decisions are added.
extension InMemoryJobStore {
    public func pools() async throws -> [PoolSpec] {
        poolSpecs.values.sorted { $0.name < $1.name }
    }

    public func createPool(_ pool: PoolSpec) async throws {
        guard poolSpecs[pool.name] == nil else { throw PoolStoreError.exists(pool.name) }
        poolSpecs[pool.name] = pool
    }

    public func updatePool(_ pool: PoolSpec) async throws {
        guard poolSpecs[pool.name] != nil else { throw PoolStoreError.notFound(pool.name) }
        poolSpecs[pool.name] = pool
    }

    public func deletePool(named name: String) async throws {
        poolSpecs[name] = nil
    }

    public func recordScalingDecision(_ record: ScalingRecord, keep: Int) async throws {
        scalingRecords.append(record)
        // Keep the newest `keep` (at least one) of this pool; other pools' decisions are untouched.
        let excess = scalingRecords.count { $0.pool == record.pool } - max(keep, 1)
        guard excess > 0 else { return }
        var dropped = 0
        scalingRecords.removeAll { candidate in
            guard dropped < excess, candidate.pool == record.pool else { return false }
            dropped += 1
            return true
        }
    }

    public func scalingDecisions(pool: String?, limit: Int) async throws -> [ScalingRecord] {
        Array(scalingRecords.reversed().lazy.filter { pool == nil || $0.pool == pool }.prefix(max(limit, 1)))
    }

    public func recordDemand(_ samples: [DemandSample], pool: String, keepFrom: Date) async throws {
        var history = demandHistories[pool] ?? []
        for sample in samples {
            history.removeAll { $0.start == sample.start }
            history.append(sample)
        }
        demandHistories[pool] = history.filter { $0.start >= keepFrom }.sorted { $0.start < $1.start }
    }

    public func demandHistory(pool: String) async throws -> [DemandSample] {
        demandHistories[pool] ?? []
    }
}
