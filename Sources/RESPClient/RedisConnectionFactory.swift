import CircuitBreaking
import Logging
import NIOCore
import Synchronization

/// Opens connections to one server: a few attempts with jittered exponential backoff between them, behind a circuit
/// breaker shared by every pool that talks to that server, so a dead server costs callers a fast error instead of a
/// stream of connect attempts.
final class RedisConnectionFactory: Sendable {
    let endpoint: RedisEndpoint
    let connectionConfiguration: RedisConnection.Configuration
    private let attempts: Int
    private let backoff: RedisBackoff
    private let breaker: Mutex<CircuitBreaker>
    private let eventLoopGroup: any EventLoopGroup
    private let time: TimeSource
    private let logger: Logger
    /// Replaced in tests to fail or succeed without a network.
    private let connector: @Sendable () async throws -> RedisConnection

    init(
        endpoint: RedisEndpoint,
        connectionConfiguration: RedisConnection.Configuration,
        poolConfiguration: RedisConnectionPool.Configuration,
        eventLoopGroup: any EventLoopGroup,
        time: TimeSource,
        logger: Logger,
        connector: (@Sendable () async throws -> RedisConnection)? = nil
    ) {
        self.endpoint = endpoint
        self.connectionConfiguration = connectionConfiguration
        self.attempts = max(poolConfiguration.connectAttempts, 1)
        self.backoff = poolConfiguration.reconnectBackoff
        self.breaker = Mutex(
            CircuitBreaker(
                failureThreshold: poolConfiguration.circuitBreakerThreshold,
                coolDown: poolConfiguration.circuitBreakerCoolDown
            )
        )
        self.eventLoopGroup = eventLoopGroup
        self.time = time
        self.logger = logger
        self.connector =
            connector ?? {
                try await RedisConnection.connect(
                    to: endpoint,
                    configuration: connectionConfiguration,
                    eventLoopGroup: eventLoopGroup,
                    logger: logger
                )
            }
    }

    var breakerState: CircuitBreaker.State {
        breaker.withLock { $0.state }
    }

    func makeConnection() async throws -> RedisConnection {
        var attempt = 0
        var lastReason = "unknown error"
        while true {
            let now = time.now()
            let decision = breaker.withLock { $0.decide(now: now) }
            if case .reject(let retryAfter) = decision {
                if attempt > 0 {
                    throw RedisError.connectionFailed(endpoint: endpoint, attempts: attempt, reason: lastReason)
                }
                let last = breaker.withLock { $0.lastFailure } ?? "unknown error"
                throw RedisError.circuitOpen(endpoint: endpoint, retryAfter: retryAfter, lastFailure: last)
            }
            attempt += 1
            do {
                let connection = try await connector()
                breaker.withLock { $0.recordSuccess() }
                if attempt > 1 || decision == .probe {
                    logger.info("redis reconnected", metadata: [RedisLogKey.attempt: "\(attempt)"])
                }
                return connection
            } catch let error as RedisError {
                if case .handshakeFailed(_, _, let reply) = error, reply.code != "LOADING" {
                    // The server is up and answered; retrying the same credentials cannot help.
                    breaker.withLock { $0.recordSuccess() }
                    throw error
                }
                lastReason = RedisError.describeConnectFailure(error, endpoint: endpoint)
            } catch is CancellationError {
                breaker.withLock { $0.recordAbandoned(now: time.now()) }
                throw CancellationError()
            } catch {
                lastReason = RedisError.describeConnectFailure(error, endpoint: endpoint)
            }
            let opened = breaker.withLock { breaker in
                breaker.recordFailure(now: time.now(), reason: lastReason)
                if case .open = breaker.state { return true }
                return false
            }
            // Once the breaker is open, waiting out a backoff only to be refused by it would waste the caller's time.
            guard attempt < attempts, !opened else {
                throw RedisError.connectionFailed(endpoint: endpoint, attempts: attempt, reason: lastReason)
            }
            let delay = backoff.delay(forAttempt: attempt)
            logger.warning(
                "redis connect failed; retrying",
                metadata: [
                    RedisLogKey.attempt: "\(attempt)", RedisLogKey.error: "\(lastReason)",
                    RedisLogKey.delay: "\(delay.shortDescription)",
                ]
            )
            try await time.sleep(for: delay)
        }
    }
}
