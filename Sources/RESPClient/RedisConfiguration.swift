/// Everything `RedisClient` needs to know; the defaults suit a local server.
public struct RedisConfiguration: Sendable {
    public enum Mode: Sendable, Hashable {
        /// One server: the first endpoint.
        case standalone
        /// A Redis Cluster; endpoints are seeds for discovering the others.
        case cluster
        /// Asks the first reachable endpoint `CLUSTER SLOTS`; a server with cluster support disabled is standalone.
        case automatic
    }

    public var endpoints: [RedisEndpoint]
    public var mode: Mode
    public var connection: RedisConnection.Configuration
    /// Connections for ordinary commands and pipelines, per server.
    public var pool: RedisConnectionPool.Configuration
    /// Separate connections for blocking commands (`BLPOP`, `XREADGROUP … BLOCK`, `WAIT`, …), per server, so a
    /// blocked call never holds up ordinary traffic.
    public var blockingPool: RedisConnectionPool.Configuration
    /// Added to a blocking command's own timeout to get the call's timeout, covering the round trip.
    public var blockingTimeoutMargin: Duration
    /// Attempts for replies that mean "try again later" (`TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, `UNBLOCKED`,
    /// `READONLY`, `MASTERDOWN`) and for cluster nodes that cannot be reached.
    public var retryAttempts: Int
    public var retryBackoff: RedisBackoff
    /// `MOVED`/`ASK` hops allowed for one command.
    public var maxRedirections: Int
    /// When set, writes sent with `replicated: true` (and every script run) also wait for this many replicas.
    public var replicaAcknowledgement: ReplicaAcknowledgement?

    public init(
        endpoints: [RedisEndpoint],
        mode: Mode = .automatic,
        connection: RedisConnection.Configuration = RedisConnection.Configuration(),
        pool: RedisConnectionPool.Configuration = RedisConnectionPool.Configuration(),
        blockingPool: RedisConnectionPool.Configuration = RedisConnectionPool.Configuration(maxConnections: 64),
        blockingTimeoutMargin: Duration = .seconds(2),
        retryAttempts: Int = 5,
        retryBackoff: RedisBackoff = RedisBackoff(initial: .milliseconds(25), maximum: .seconds(1)),
        maxRedirections: Int = 16
    ) {
        self.endpoints = endpoints
        self.mode = mode
        self.connection = connection
        self.pool = pool
        self.blockingPool = blockingPool
        self.blockingTimeoutMargin = blockingTimeoutMargin
        self.retryAttempts = max(retryAttempts, 1)
        self.retryBackoff = retryBackoff
        self.maxRedirections = maxRedirections
    }

    /// One server, or one seed of a cluster when `mode` is `.cluster` or `.automatic`.
    public init(host: String = "127.0.0.1", port: Int = 6379, mode: Mode = .automatic) {
        self.init(endpoints: [RedisEndpoint(host: host, port: port)], mode: mode)
    }
}
