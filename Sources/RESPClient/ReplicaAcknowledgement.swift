/// How many replicas must have a write before the client reports it done (`WAIT numreplicas timeout` sent right
/// behind the write, on the same connection).
///
/// Redis replicates asynchronously: a master that fails right after answering can take an acknowledged write with
/// it when its replica is promoted. Waiting for one replica closes that window for everything but the loss of both
/// copies. A write that runs but is not acknowledged in time fails with `RedisError.notReplicated`: it may still
/// survive, so callers treat it like a timeout (retry idempotently).
public struct ReplicaAcknowledgement: Sendable, Hashable {
    /// Replicas that must acknowledge each write; at least 1.
    public var replicas: Int
    /// How long a write waits for them before it is reported as not replicated.
    public var timeout: Duration

    public init(replicas: Int, timeout: Duration = .seconds(1)) {
        self.replicas = max(replicas, 1)
        self.timeout = timeout
    }

    /// The `WAIT` command that follows a write.
    var command: [RESPArgument] {
        let milliseconds = max(Int((timeout.seconds * 1000).rounded()), 1)
        return ["WAIT", .init(replicas), .init(milliseconds)]
    }
}
