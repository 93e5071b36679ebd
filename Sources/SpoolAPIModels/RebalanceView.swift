import SpoolCore

/// The answer to `POST /v1/pools/{name}/rebalance`: the waiting jobs moved to the pool.
public struct RebalanceView: Codable, Sendable, Equatable {
    public var pool: String
    public var moved: [JobID]

    public init(pool: String, moved: [JobID]) {
        self.pool = pool
        self.moved = moved
    }
}
