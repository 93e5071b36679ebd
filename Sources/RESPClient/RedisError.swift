import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything this client throws, apart from `CancellationError` when the calling task is cancelled.
/// Each description says what happened and what to do about it.
public enum RedisError: Error, Sendable {
    /// The server answered the command with an error reply; the command was processed and failed.
    case reply(RedisReplyError)
    /// The keys of one command or script hash to different cluster slots. Nothing was sent.
    case crossSlot(command: String, keys: [String])
    /// No reply within the call's timeout. The command may or may not have run; the connection was discarded.
    case timeout(command: String, after: Duration, endpoint: RedisEndpoint)
    /// No connection could be opened. Nothing was sent.
    case connectionFailed(endpoint: RedisEndpoint, attempts: Int, reason: String)
    /// Recent connects to this server all failed, so calls fail fast until `retryAfter` has passed. Nothing was sent.
    case circuitOpen(endpoint: RedisEndpoint, retryAfter: Duration, lastFailure: String)
    /// The connection broke with the command in flight. The command may or may not have run.
    case connectionClosed(endpoint: RedisEndpoint, reason: String)
    /// The server sent bytes that are not RESP. The connection was discarded.
    case protocolError(endpoint: RedisEndpoint, RESPDecodingError)
    /// `HELLO`, `AUTH` or `SELECT` on a new connection was refused.
    case handshakeFailed(endpoint: RedisEndpoint, command: String, RedisReplyError)
    /// Every connection to this server stayed busy for as long as the caller could wait. Nothing was sent.
    case poolExhausted(endpoint: RedisEndpoint, maxConnections: Int, waited: Duration)
    /// A transient error (`TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, …) persisted through every retry.
    case retriesExhausted(command: String, attempts: Int, last: RedisReplyError)
    /// Cluster nodes kept redirecting the command (`MOVED`/`ASK`) to one another.
    case tooManyRedirections(command: String, limit: Int, last: String)
    /// No seed node answered `CLUSTER SLOTS`, or a slot has no node.
    case clusterUnavailable(reason: String)
    /// The call itself cannot be sent as given (empty command, blocking timeout too short, …). Nothing was sent.
    case invalidArgument(String)
    /// The server's reply did not have the shape this client expected for the command.
    case unexpectedReply(command: String, reply: RESPValue)
    /// The write ran on the master, but fewer replicas than `ReplicaAcknowledgement` asks for confirmed it in time.
    /// It may still survive (or be lost if the master fails now): treat it like a timeout and retry idempotently.
    case notReplicated(command: String, acknowledged: Int, required: Int, within: Duration, endpoint: RedisEndpoint)
    /// The client or pool was closed.
    case closed
}

extension RedisError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .reply(let error):
            return error.description
        case .crossSlot(let command, let keys):
            let shown = keys.prefix(4).joined(separator: ", ") + (keys.count > 4 ? ", …" : "")
            return "\(command) refused before sending: its keys (\(shown)) hash to different cluster slots — put "
                + "every key of one command under the same {hash tag}, e.g. {user42}:a and {user42}:b"
        case .timeout(let command, let after, let endpoint):
            return
                "\(command) to redis at \(endpoint) got no reply within \(after.shortDescription); it may or may not "
                + "have run — raise the timeout, or check the server with redis-cli --latency and SLOWLOG GET"
        case .connectionFailed(let endpoint, let attempts, let reason):
            return "cannot connect to redis at \(endpoint) after \(attempts) attempt\(attempts == 1 ? "" : "s"): "
                + reason
        case .circuitOpen(let endpoint, let retryAfter, let lastFailure):
            return "not connecting to redis at \(endpoint) for another \(retryAfter.shortDescription) after repeated "
                + "failures (last: \(lastFailure)) — restore the server; calls resume automatically"
        case .connectionClosed(let endpoint, let reason):
            return "connection to redis at \(endpoint) closed with the command in flight (\(reason)); it may or may "
                + "not have run — retry only if the command is idempotent"
        case .protocolError(let endpoint, let error):
            return "from \(endpoint): \(error)"
        case .handshakeFailed(let endpoint, let command, let error):
            return "redis at \(endpoint) refused \(command) on connect: \(error.message) — "
                + (error.advice ?? "check username, password, database and protocol in RedisConnection.Configuration")
        case .poolExhausted(let endpoint, let maxConnections, let waited):
            return
                "all \(maxConnections) connections to redis at \(endpoint) stayed busy for \(waited.shortDescription)"
                + " — raise RedisConnectionPool.Configuration.maxConnections or look for slow commands"
        case .retriesExhausted(let command, let attempts, let last):
            return "\(command) still failing after \(attempts) attempts: \(last)"
        case .tooManyRedirections(let command, let limit, let last):
            return "\(command) was redirected more than \(limit) times (last: \(last)) — the cluster is resharding "
                + "or misconfigured; check redis-cli --cluster check"
        case .clusterUnavailable(let reason):
            return "redis cluster unavailable: \(reason)"
        case .invalidArgument(let message):
            return message
        case .unexpectedReply(let command, let reply):
            return "unexpected reply to \(command): \(reply) — is this server a Redis 7 compatible one?"
        case .notReplicated(let command, let acknowledged, let required, let within, let endpoint):
            return "\(command) ran on redis at \(endpoint), but only \(acknowledged) of \(required) replicas "
                + "acknowledged it within \(within.shortDescription); a failover now could lose it — check the "
                + "replicas (INFO replication), or lower the replicas required"
        case .closed:
            return "the redis client was closed — create a new RedisClient"
        }
    }

    /// The command never reached the server, so sending it again is safe even if it is not idempotent.
    public var isSafeToRetry: Bool {
        switch self {
        case .connectionFailed, .circuitOpen, .poolExhausted, .crossSlot, .invalidArgument: return true
        case .reply(let error): return error.isRetryable
        default: return false
        }
    }

    /// Explains a failed connect the way a person would check it.
    static func describeConnectFailure(_ error: any Error, endpoint: RedisEndpoint) -> String {
        if let redisError = error as? RedisError {
            if case .connectionFailed(_, _, let reason) = redisError { return reason }
            return redisError.description
        }
        if let connection = error as? NIOConnectionError {
            if let dns = connection.dnsAError ?? connection.dnsAAAAError {
                return "cannot resolve host \(endpoint.host) (\(dns)) — check the host name"
            }
            if let first = connection.connectionErrors.first {
                return describeConnectFailure(first.error, endpoint: endpoint)
            }
            return "no address found for \(endpoint.host) — check the host name"
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED:
                return "connection refused — is redis-server running and listening on port \(endpoint.port)?"
            case ETIMEDOUT: return "connect timed out — is the host reachable, or is a firewall dropping packets?"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable — check the address and routing"
            case ECONNRESET: return "connection reset by the server — is it at maxclients, or not Redis?"
            default: return "\(io)"
            }
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout(let amount):
                return "connect timed out after \(Duration(amount).shortDescription) — is the host reachable, "
                    + "or is a firewall dropping packets?"
            case .eof, .ioOnClosedChannel, .alreadyClosed:
                return "the server closed the connection during the handshake — is it at maxclients, or not Redis?"
            default: return "\(channel)"
            }
        }
        return "\(error)"
    }
}
