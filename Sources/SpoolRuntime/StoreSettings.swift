/// Where a process's state lives, as a value: the data directory (files, and SQLite's database when there is no
/// Redis) and, past one machine, Redis.
public struct StoreSettings: Codable, Sendable, Equatable {
    public var data = "./spool-data"
    /// `redis://host:port` (or `rediss://`); nil runs embedded on SQLite.
    public var redis: String?
    public var redisNamespace = "spool"
    public var redisShards = 4
    public var redisBreakerFailures = 5
    public var redisBreakerCooldownSeconds: Double = 2
    public var maxAttempts = 3

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case data, redis
        case redisNamespace = "redis_namespace"
        case redisShards = "redis_shards"
        case redisBreakerFailures = "redis_breaker_failures"
        case redisBreakerCooldownSeconds = "redis_breaker_cooldown"
        case maxAttempts = "max_attempts"
    }

    /// Every field is optional in a file; what it leaves out keeps its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = StoreSettings()
        data = try c.decodeIfPresent(String.self, forKey: .data) ?? defaults.data
        redis = try c.decodeIfPresent(String.self, forKey: .redis)
        redisNamespace = try c.decodeIfPresent(String.self, forKey: .redisNamespace) ?? defaults.redisNamespace
        redisShards = try c.decodeIfPresent(Int.self, forKey: .redisShards) ?? defaults.redisShards
        redisBreakerFailures =
            try c.decodeIfPresent(Int.self, forKey: .redisBreakerFailures) ?? defaults.redisBreakerFailures
        redisBreakerCooldownSeconds =
            try c.decodeIfPresent(Double.self, forKey: .redisBreakerCooldownSeconds)
            ?? defaults.redisBreakerCooldownSeconds
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? defaults.maxAttempts
    }

    /// The flags that make a child process open this same store.
    public var arguments: [String] {
        var arguments = ["--data", data, "--max-attempts", "\(maxAttempts)"]
        if let redis {
            arguments += [
                "--redis", redis, "--redis-namespace", redisNamespace, "--redis-shards", "\(redisShards)",
                "--redis-breaker-failures", "\(redisBreakerFailures)", "--redis-breaker-cooldown",
                "\(redisBreakerCooldownSeconds)",
            ]
        }
        return arguments
    }
}
