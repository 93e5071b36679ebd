/// Every logger metadata key this client writes, defined once so dashboards and log queries can rely on them.
/// Command arguments are never logged: they may hold passwords and user data.
enum RedisLogKey {
    /// `host:port` of the server.
    static let endpoint = "redis.endpoint"
    /// Command name only, e.g. `GET`, or `pipeline(12)`.
    static let command = "redis.command"
    /// 1-based attempt number of a connect or retry.
    static let attempt = "redis.attempt"
    /// Cluster hash slot the command was routed by.
    static let slot = "redis.slot"
    /// Human-readable error.
    static let error = "redis.error"
    /// Delay before the next attempt.
    static let delay = "redis.delay"
}
