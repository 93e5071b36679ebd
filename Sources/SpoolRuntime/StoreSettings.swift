/// Where a process's state lives, as a value: the data directory (files, and SQLite's database when there is no
/// Redis) and, past one machine, Redis.
public struct StoreSettings: Codable, Sendable, Equatable {
    public var data = "./spool-data"
    /// `redis://host:port` (or `rediss://`); nil runs embedded on SQLite.
    public var redis: String?
    public var redisNamespace = "spool"
    public var redisShards = 4
    /// Replicas each acknowledged write waits for (`WAIT`); 0 acknowledges on the master alone.
    public var redisWaitReplicas = 0
    public var redisBreakerFailures = 5
    public var redisBreakerCooldownSeconds: Double = 2
    public var maxAttempts = 3
    /// Where uploads and outputs live: nil for the data directory itself, `file:///PATH` for another directory, or
    /// `s3://BUCKET[/PREFIX]` for an S3-compatible bucket (`StorageLocation`).
    public var storage: String?
    /// The S3 endpoint (`http://127.0.0.1:8333`, `https://s3.eu-west-1.amazonaws.com`); nil: AWS for the region.
    public var s3Endpoint: String?
    public var s3Region = "us-east-1"
    /// `https://ENDPOINT/BUCKET/KEY` rather than `https://BUCKET.ENDPOINT/KEY` (MinIO, SeaweedFS, Ceph).
    public var s3PathStyle = false

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case data, redis
        case redisNamespace = "redis_namespace"
        case redisShards = "redis_shards"
        case redisWaitReplicas = "redis_wait_replicas"
        case redisBreakerFailures = "redis_breaker_failures"
        case redisBreakerCooldownSeconds = "redis_breaker_cooldown"
        case maxAttempts = "max_attempts"
        case storage
        case s3Endpoint = "s3_endpoint"
        case s3Region = "s3_region"
        case s3PathStyle = "s3_path_style"
    }

    /// Every field is optional in a file; what it leaves out keeps its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = StoreSettings()
        data = try c.decodeIfPresent(String.self, forKey: .data) ?? defaults.data
        redis = try c.decodeIfPresent(String.self, forKey: .redis)
        redisNamespace = try c.decodeIfPresent(String.self, forKey: .redisNamespace) ?? defaults.redisNamespace
        redisShards = try c.decodeIfPresent(Int.self, forKey: .redisShards) ?? defaults.redisShards
        redisWaitReplicas = try c.decodeIfPresent(Int.self, forKey: .redisWaitReplicas) ?? defaults.redisWaitReplicas
        redisBreakerFailures =
            try c.decodeIfPresent(Int.self, forKey: .redisBreakerFailures) ?? defaults.redisBreakerFailures
        redisBreakerCooldownSeconds =
            try c.decodeIfPresent(Double.self, forKey: .redisBreakerCooldownSeconds)
            ?? defaults.redisBreakerCooldownSeconds
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? defaults.maxAttempts
        storage = try c.decodeIfPresent(String.self, forKey: .storage)
        s3Endpoint = try c.decodeIfPresent(String.self, forKey: .s3Endpoint)
        s3Region = try c.decodeIfPresent(String.self, forKey: .s3Region) ?? defaults.s3Region
        s3PathStyle = try c.decodeIfPresent(Bool.self, forKey: .s3PathStyle) ?? defaults.s3PathStyle
    }

    /// The flags that make a child process open this same store.
    public var arguments: [String] {
        var arguments = ["--data", data, "--max-attempts", "\(maxAttempts)"]
        if let storage {
            arguments += ["--storage", storage, "--s3-region", s3Region]
            if let s3Endpoint { arguments += ["--s3-endpoint", s3Endpoint] }
            if s3PathStyle { arguments.append("--s3-path-style") }
        }
        if let redis {
            arguments += [
                "--redis", redis, "--redis-namespace", redisNamespace, "--redis-shards", "\(redisShards)",
                "--redis-breaker-failures", "\(redisBreakerFailures)", "--redis-breaker-cooldown",
                "\(redisBreakerCooldownSeconds)", "--redis-wait-replicas", "\(redisWaitReplicas)",
            ]
        }
        return arguments
    }
}
