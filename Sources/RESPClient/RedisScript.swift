/// A Lua script run by SHA-1 (`EVALSHA`), so its source crosses the network only when a server does not have it
/// cached yet.
///
/// Redis empties its script cache on restart, on failover and on `SCRIPT FLUSH`; `RedisClient.run(script:…)` then
/// gets `NOSCRIPT`, sends the source once with `EVAL` (which also caches it) and carries on.
/// Every key the script touches must be passed in `keys` — in a cluster they route the call and must share a slot.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// Lowercase hex SHA-1 of `source`, as `SCRIPT LOAD` returns it.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(Array(source.utf8))
    }

    func evalSHA(keys: [RESPArgument], arguments: [RESPArgument]) -> [RESPArgument] {
        ["EVALSHA", .init(sha1), .init(keys.count)] + keys + arguments
    }

    func eval(keys: [RESPArgument], arguments: [RESPArgument]) -> [RESPArgument] {
        ["EVAL", .init(source), .init(keys.count)] + keys + arguments
    }
}
