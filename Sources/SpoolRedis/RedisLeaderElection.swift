import RESPClient
import SpoolCore

/// A Redis lease with a fencing token: `SET NX PX` takes it, the holder renews it, and each new holder increments
/// the token. Lease and token share a hash tag, so one script updates both on any node of a Cluster.
public struct RedisLeaderElection: LeaderElection {
    let client: RedisClient
    let leaseKey: String
    let tokenKey: String

    public init(client: RedisClient, namespace: String = "spool", role: String = "manager") {
        self.client = client
        self.leaseKey = "\(namespace):{leader-\(role)}:lease"
        self.tokenKey = "\(namespace):{leader-\(role)}:token"
    }

    /// KEYS: lease, token. ARGV: candidate, ttl ms. Returns the token while the candidate leads, 0 otherwise.
    static let acquire = RedisScript(
        """
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return tonumber(redis.call('GET', KEYS[2]) or '0')
        end
        if holder then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return redis.call('INCR', KEYS[2])
        """)

    static let release = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """)

    public func acquireOrRenew(candidate: String, ttl: Duration) async throws -> Int? {
        let milliseconds = Int(ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000)
        let token =
            try await client.run(
                script: Self.acquire, keys: [.init(leaseKey), .init(tokenKey)],
                arguments: [.init(candidate), .init(max(milliseconds, 1))]
            ).int ?? 0
        return token > 0 ? token : nil
    }

    public func release(candidate: String) async throws {
        try await client.run(script: Self.release, keys: [.init(leaseKey)], arguments: [.init(candidate)])
    }
}
