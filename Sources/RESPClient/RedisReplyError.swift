/// An error reply from the server, split into its code (`WRONGTYPE`, `MOVED`, …) and the full message.
public struct RedisReplyError: Error, Sendable, Hashable {
    /// The first word of the message: `ERR`, `WRONGTYPE`, `NOSCRIPT`, `MOVED`, …
    public var code: String
    /// The whole line as the server sent it, e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`.
    public var message: String

    public init(message: String) {
        self.message = message
        self.code = message.prefix { $0 != " " }.uppercased()
    }

    /// Where a cluster node sent us instead (`MOVED`/`ASK <slot> <host:port>`).
    enum Redirection: Hashable {
        case moved(slot: Int, to: RedisEndpoint)
        case ask(slot: Int, to: RedisEndpoint)
    }

    func redirection(defaultHost: String) -> Redirection? {
        guard code == "MOVED" || code == "ASK" else { return nil }
        let parts = message.split(separator: " ")
        guard parts.count == 3, let slot = Int(parts[1]), HashSlot.range.contains(slot),
            let endpoint = RedisEndpoint(parsing: parts[2], defaultHost: defaultHost)
        else { return nil }
        return code == "MOVED" ? .moved(slot: slot, to: endpoint) : .ask(slot: slot, to: endpoint)
    }

    /// Transient states the Redis docs say to retry after a pause: the command did not run.
    var isRetryable: Bool {
        ["TRYAGAIN", "CLUSTERDOWN", "LOADING", "UNBLOCKED", "READONLY", "MASTERDOWN"].contains(code)
    }

    /// Replies that mean our picture of which node is master for a slot is stale.
    var needsTopologyRefresh: Bool {
        ["CLUSTERDOWN", "UNBLOCKED", "READONLY", "MOVED", "MASTERDOWN"].contains(code)
    }

    /// What to do about it, for error messages.
    var advice: String? {
        switch code {
        case "NOSCRIPT": return "load the script first, or run it through RedisClient.run(script:keys:arguments:)"
        case "WRONGTYPE": return "the key holds another data type; check the key name or delete the old key"
        case "NOAUTH", "WRONGPASS": return "set username/password in RedisConnection.Configuration"
        case "NOPERM": return "grant this ACL user the command or key pattern"
        case "OOM": return "Redis is at maxmemory with noeviction; free memory or raise maxmemory, then retry"
        case "MOVED", "ASK":
            return "the server is a cluster node; configure RedisConfiguration.mode = .cluster or .automatic"
        case "CROSSSLOT": return "put all keys of one command under the same {hash tag}"
        case "LOADING": return "Redis is still loading its dataset; retry once it has finished"
        case "BUSY": return "a script is running too long; wait, or run SCRIPT KILL"
        case "READONLY": return "a write reached a replica; the client re-resolves the master, retry later"
        case "CLUSTERDOWN": return "the cluster is failing over or misses slots; check redis-cli --cluster check"
        default: return nil
        }
    }
}

extension RedisReplyError: CustomStringConvertible {
    public var description: String {
        if let advice { return "redis replied \(message) — \(advice)" }
        return "redis replied \(message)"
    }
}
