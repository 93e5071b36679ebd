extension RedisConnectionPool {
    public struct Configuration: Sendable {
        /// Idle shrinking stops at this many open connections. Connections are opened on demand, not in advance.
        public var minConnections: Int
        /// Callers wait (up to `acquireTimeout`) when this many connections are in use.
        public var maxConnections: Int
        /// Connections, among `maxConnections`, that commands needing no connection of their own share, pipelined
        /// (`withSharedConnection`); 0 lends every command a connection to itself.
        public var sharedConnections: Int
        /// An idle connection beyond `minConnections` is closed after this long.
        public var idleTimeout: Duration
        /// A connection idle at least this long is checked with `PING` before it is handed out, because a NAT,
        /// firewall or server `timeout` may have dropped it silently.
        public var healthCheckAfterIdle: Duration
        public var healthCheckTimeout: Duration
        /// How long a caller waits for a free connection when all `maxConnections` are busy.
        public var acquireTimeout: Duration
        /// Connect attempts per call before giving up.
        public var connectAttempts: Int
        public var reconnectBackoff: RedisBackoff
        /// Consecutive connect failures that open the circuit breaker.
        public var circuitBreakerThreshold: Int
        /// How long an open breaker fails calls fast before it lets one probe through.
        public var circuitBreakerCoolDown: Duration

        public init(
            minConnections: Int = 0,
            maxConnections: Int = 16,
            sharedConnections: Int = 4,
            idleTimeout: Duration = .seconds(60),
            healthCheckAfterIdle: Duration = .seconds(10),
            healthCheckTimeout: Duration = .seconds(1),
            acquireTimeout: Duration = .seconds(5),
            connectAttempts: Int = 3,
            reconnectBackoff: RedisBackoff = RedisBackoff(),
            circuitBreakerThreshold: Int = 5,
            circuitBreakerCoolDown: Duration = .seconds(2)
        ) {
            self.minConnections = max(minConnections, 0)
            self.maxConnections = max(maxConnections, 1)
            self.sharedConnections = min(max(sharedConnections, 0), self.maxConnections)
            self.idleTimeout = idleTimeout
            self.healthCheckAfterIdle = healthCheckAfterIdle
            self.healthCheckTimeout = healthCheckTimeout
            self.acquireTimeout = acquireTimeout
            self.connectAttempts = connectAttempts
            self.reconnectBackoff = reconnectBackoff
            self.circuitBreakerThreshold = circuitBreakerThreshold
            self.circuitBreakerCoolDown = circuitBreakerCoolDown
        }
    }

    /// A snapshot, for tests and metrics.
    public struct Statistics: Sendable, Hashable {
        public var open: Int
        public var idle: Int
        public var leased: Int
        public var connecting: Int
        public var waiting: Int
        /// Open connections that callers share (counted in `open`).
        public var shared: Int = 0
    }
}
