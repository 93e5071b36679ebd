import Foundation
import SpoolAPIModels
import SpoolCore

extension SpoolClient {
    public func pool(_ name: String) async throws -> PoolView {
        try await send("GET", "/v1/pools/\(name)")
    }

    public func createPool(_ request: PoolRequest) async throws -> PoolView {
        try await send("POST", "/v1/pools", body: try JSONEncoder().encode(request))
    }

    public func resizePool(_ name: String, _ resize: PoolResize) async throws -> PoolView {
        try await send("PATCH", "/v1/pools/\(name)", body: try JSONEncoder().encode(resize))
    }

    public func drainPool(_ name: String) async throws -> PoolView {
        try await send("POST", "/v1/pools/\(name)/drain")
    }

    public func rebalancePool(_ name: String) async throws -> [JobID] {
        let moved: RebalanceView = try await send("POST", "/v1/pools/\(name)/rebalance")
        return moved.moved
    }

    public func destroyPool(_ name: String, force: Bool) async throws -> PoolView {
        try await send("DELETE", "/v1/pools/\(name)" + (force ? "?force=true" : ""))
    }

    /// Imports demand history for a managed pool; answers the stored history.
    public func importDemandHistory(_ name: String, _ samples: [DemandSample]) async throws -> [DemandSample] {
        let history: DemandHistoryImport = try await send(
            "PUT", "/v1/pools/\(name)/history", body: try APIJSON.encoder.encode(DemandHistoryImport(samples: samples)))
        return history.samples
    }

    /// The autoscaler's log for one pool (or all), newest first.
    public func poolEvents(pool: String?, limit: Int = 20) async throws -> [PoolEvent] {
        let path = pool.map { "/v1/pools/\($0)/decisions" } ?? "/v1/autoscaler/decisions"
        let list: PoolEventList = try await send("GET", path + "?limit=\(limit)")
        return list.events
    }
}
