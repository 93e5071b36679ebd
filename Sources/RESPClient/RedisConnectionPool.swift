import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Connections to one server, each lent to one caller at a time.
///
/// Grows on demand up to `maxConnections`; callers beyond that wait in line. Idle connections beyond
/// `minConnections` are closed after `idleTimeout`; one idle longer than `healthCheckAfterIdle` is `PING`ed before
/// reuse. Broken connections (after a timeout or I/O error) are closed on return and never handed out again.
/// New connections come from a factory with backoff and a circuit breaker.
///
/// Commands that need no connection to themselves go over up to `sharedConnections` connections that every caller
/// uses at once (`withSharedConnection`): Redis answers each connection in order, so callers' commands pipeline on
/// it, and a thousand concurrent callers neither queue for a lease nor each hold a socket.
///
/// Decisions are taken synchronously under one lock and their effects (connecting, closing, resuming waiters) run
/// after it is released, so no lock is ever held across an `await`.
public final class RedisConnectionPool: Sendable {
    public let endpoint: RedisEndpoint
    public let configuration: Configuration
    let factory: RedisConnectionFactory
    private let time: TimeSource
    private let logger: Logger
    private let state: Mutex<State>
    private let maintenance: Mutex<Task<Void, Never>?> = Mutex(nil)

    private struct IdleConnection {
        var connection: RedisConnection
        var since: Duration
    }

    private enum WaitOutcome: Sendable {
        case connection(RedisConnection)
        /// Capacity freed up (a broken connection was dropped or a connect failed): try again from the top.
        case retry
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<WaitOutcome, any Error>
    }

    private struct State {
        var idle: [IdleConnection] = []  // most recently used last, so the oldest idle out first
        var live: [ObjectIdentifier: RedisConnection] = [:]
        /// Connections callers share, with when each was last handed out; the next goes to `nextShared`.
        var shared: [IdleConnection] = []
        var nextShared = 0
        var sharedConnecting = 0
        var leased = 0
        var connecting = 0
        var waiters: [Waiter] = []
        /// Waiters that have an ID but are not queued yet, and errors for those abandoned before they queued.
        var registering: Set<Int> = []
        var abandoned: [Int: any Error] = [:]
        var nextWaiterID = 0
        var closed = false

        /// Takes out of the shared connections the broken ones (returned, to be closed) and those unused for
        /// `unusedFor`, which a NAT or the server may have dropped: they join the idle ones, first as the longest
        /// unused, where they are PINGed before anyone uses them again (or closed once idle too long).
        mutating func retireShared(now: Duration, unusedFor: Duration) -> [RedisConnection] {
            var broken: [RedisConnection] = []
            shared.removeAll { entry in
                if entry.connection.isBroken {
                    live[ObjectIdentifier(entry.connection)] = nil
                    broken.append(entry.connection)
                    return true
                }
                guard now - entry.since >= unusedFor else { return false }
                idle.insert(entry, at: 0)
                return true
            }
            return broken
        }
    }

    private enum SharedAction {
        case use(RedisConnection)
        case create
        case lease
        case fail(any Error)
    }

    private enum LeaseAction {
        case reuse(RedisConnection, healthCheck: Bool)
        case create
        case wait
        case fail(any Error)
    }

    public convenience init(
        endpoint: RedisEndpoint,
        configuration: Configuration = Configuration(),
        connectionConfiguration: RedisConnection.Configuration = RedisConnection.Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "RESPClient")
    ) {
        let time = TimeSource(clock)
        let factory = RedisConnectionFactory(
            endpoint: endpoint,
            connectionConfiguration: connectionConfiguration,
            poolConfiguration: configuration,
            eventLoopGroup: eventLoopGroup,
            time: time,
            logger: logger
        )
        self.init(factory: factory, configuration: configuration, time: time, logger: logger)
    }

    /// Pools that share a factory share its circuit breaker (e.g. a server's regular and blocking pools).
    init(factory: RedisConnectionFactory, configuration: Configuration, time: TimeSource, logger: Logger) {
        self.endpoint = factory.endpoint
        self.configuration = configuration
        self.factory = factory
        self.time = time
        var logger = logger
        logger[metadataKey: RedisLogKey.endpoint] = "\(factory.endpoint)"
        self.logger = logger
        self.state = Mutex(State())
        let interval = max(configuration.idleTimeout / 4, .milliseconds(100))
        let task = Task { [weak self, time] in
            while !Task.isCancelled {
                do { try await time.sleep(for: interval) } catch { return }
                guard let self else { return }
                self.pruneIdleConnections()
            }
        }
        maintenance.withLock { $0 = task }
    }

    deinit {
        maintenance.withLock { $0?.cancel() }
        // Open channels are kept alive by their event loop, so an unclosed pool would leak its sockets.
        for connection in state.withLock({ Array($0.live.values) }) { connection.closeNow() }
    }

    /// Lends a connection to `body` and takes it back afterwards, also when `body` throws.
    public func withConnection<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RedisConnection) async throws -> T
    ) async throws -> T {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// `withConnection` for commands that leave state on their connection (`MULTI`, `SELECT`, `SUBSCRIBE`, …): the
    /// connection is closed afterwards instead of going back to the pool, so that state never reaches another caller.
    public func withConnectionClosedAfterUse<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RedisConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            defer { connection.closeNow() }
            return try await body(connection)
        }
    }

    /// Lends `body` a connection that other callers use at the same time, for commands that need none to themselves:
    /// not blocking ones, not a write that `WAIT` must follow, nothing that leaves state on the connection. Its
    /// commands are pipelined with theirs, in order, each with its own timeout; a timeout breaks the connection for
    /// every caller on it, as it would a connection of one's own, and the next call gets a new one. With
    /// `sharedConnections` 0, or while the first shared connections are still being opened, this is `withConnection`.
    public func withSharedConnection<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RedisConnection) async throws -> T
    ) async throws -> T {
        switch try await shared() {
        case .some(let connection): return try await body(connection)
        case .none: return try await withConnection(body)
        }
    }

    /// A shared connection, or nil when the caller should lease one of its own instead.
    private func shared() async throws -> RedisConnection? {
        let target = configuration.sharedConnections
        guard target > 0 else { return nil }
        let now = time.now()
        var discarded: [RedisConnection] = []
        let action: SharedAction = state.withLock { state in
            if state.closed { return .fail(RedisError.closed) }
            discarded = state.retireShared(now: now, unusedFor: configuration.healthCheckAfterIdle)
            if state.shared.count + state.sharedConnecting < target {
                // An idle connection used lately needs no check: it becomes a shared one, so that connections a
                // burst of leases opened (up to `maxConnections`) never keep the pool from sharing.
                if let last = state.idle.last, !last.connection.isBroken,
                    now - last.since < configuration.healthCheckAfterIdle
                {
                    state.idle.removeLast()
                    state.shared.append(IdleConnection(connection: last.connection, since: now))
                    state.nextShared = state.shared.count - 1
                    return .use(last.connection)
                }
                if state.live.count + state.connecting < configuration.maxConnections {
                    state.connecting += 1
                    state.sharedConnecting += 1
                    return .create
                }
            }
            guard !state.shared.isEmpty else { return .lease }
            state.nextShared = (state.nextShared + 1) % state.shared.count
            state.shared[state.nextShared].since = now
            return .use(state.shared[state.nextShared].connection)
        }
        for connection in discarded { connection.closeNow() }
        switch action {
        case .fail(let error): throw error
        case .use(let connection): return connection
        case .lease: return nil
        case .create: return try await create(shared: true)
        }
    }

    public var statistics: Statistics {
        state.withLock { state in
            Statistics(
                open: state.live.count,
                idle: state.idle.count,
                leased: state.leased,
                connecting: state.connecting,
                waiting: state.waiters.count,
                shared: state.shared.count
            )
        }
    }

    /// Closes every connection, including lent ones (their calls fail with `RedisError.connectionClosed`), and fails
    /// waiting callers with `RedisError.closed`.
    public func close() async {
        let (connections, waiters) = state.withLock { state in
            state.closed = true
            let connections = Array(state.live.values)
            let waiters = state.waiters
            state.live = [:]
            state.idle = []
            state.shared = []
            state.waiters = []
            return (connections, waiters)
        }
        maintenance.withLock { $0?.cancel() }
        for waiter in waiters { waiter.continuation.resume(throwing: RedisError.closed) }
        for connection in connections { await connection.close() }
    }

    func lease() async throws -> RedisConnection {
        let deadline = time.now() + configuration.acquireTimeout
        while true {
            try Task.checkCancellation()
            let now = time.now()
            var discarded: [RedisConnection] = []
            let action: LeaseAction = state.withLock { state in
                if state.closed { return .fail(RedisError.closed) }
                while let entry = state.idle.popLast() {
                    if entry.connection.isBroken {
                        state.live[ObjectIdentifier(entry.connection)] = nil
                        discarded.append(entry.connection)
                        continue
                    }
                    state.leased += 1
                    return .reuse(
                        entry.connection, healthCheck: now - entry.since >= configuration.healthCheckAfterIdle)
                }
                if state.live.count + state.connecting < configuration.maxConnections {
                    state.connecting += 1
                    return .create
                }
                return .wait
            }
            for connection in discarded { connection.closeNow() }

            switch action {
            case .fail(let error):
                throw error
            case .reuse(let connection, let healthCheck):
                if healthCheck, !(await isHealthy(connection)) {
                    release(connection)
                    continue
                }
                return connection
            case .create:
                return try await create()
            case .wait:
                switch try await waitForConnection(until: deadline) {
                case .connection(let connection): return connection
                case .retry: continue
                }
            }
        }
    }

    func release(_ connection: RedisConnection) {
        let now = time.now()
        let broken = connection.isBroken
        let (waiter, outcome, discard): (Waiter?, WaitOutcome, Bool) = state.withLock { state in
            state.leased -= 1
            if state.closed || broken {
                state.live[ObjectIdentifier(connection)] = nil
                return (state.waiters.isEmpty ? nil : state.waiters.removeFirst(), .retry, true)
            }
            if !state.waiters.isEmpty {
                state.leased += 1
                return (state.waiters.removeFirst(), .connection(connection), false)
            }
            state.idle.append(IdleConnection(connection: connection, since: now))
            return (nil, .retry, false)
        }
        if discard { connection.closeNow() }
        waiter?.continuation.resume(returning: outcome)
    }

    /// Closes connections idle longer than `idleTimeout`, oldest first, down to `minConnections`. Runs periodically on
    /// the injected clock; tests call it directly after advancing a manual clock.
    func pruneIdleConnections() {
        let now = time.now()
        let victims: [RedisConnection] = state.withLock { state in
            var victims = state.retireShared(now: now, unusedFor: configuration.healthCheckAfterIdle)
            state.idle.removeAll { entry in
                guard entry.connection.isBroken else { return false }
                state.live[ObjectIdentifier(entry.connection)] = nil
                victims.append(entry.connection)
                return true
            }
            while state.live.count > configuration.minConnections, let oldest = state.idle.first,
                now - oldest.since >= configuration.idleTimeout
            {
                state.idle.removeFirst()
                state.live[ObjectIdentifier(oldest.connection)] = nil
                victims.append(oldest.connection)
            }
            return victims
        }
        if !victims.isEmpty { logger.debug("closing idle redis connections", metadata: ["count": "\(victims.count)"]) }
        for connection in victims { connection.closeNow() }
    }

    /// Opens a connection for the slot the caller reserved (`connecting`, and `sharedConnecting` when `shared`):
    /// lent to the caller alone, or kept among the shared ones.
    private func create(shared: Bool = false) async throws -> RedisConnection {
        let connection: RedisConnection
        do {
            connection = try await factory.makeConnection()
        } catch {
            let waiter = state.withLock { state in
                state.connecting -= 1
                if shared { state.sharedConnecting -= 1 }
                return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
            }
            // The slot this caller reserved is free again; the next waiter may try (and usually fails fast too).
            waiter?.continuation.resume(returning: .retry)
            throw error
        }
        let now = time.now()
        let accepted = state.withLock { state in
            state.connecting -= 1
            if shared { state.sharedConnecting -= 1 }
            guard !state.closed else { return false }
            state.live[ObjectIdentifier(connection)] = connection
            if shared {
                state.shared.append(IdleConnection(connection: connection, since: now))
            } else {
                state.leased += 1
            }
            return true
        }
        guard accepted else {
            connection.closeNow()
            throw RedisError.closed
        }
        return connection
    }

    private func isHealthy(_ connection: RedisConnection) async -> Bool {
        do {
            let reply = try await connection.send(["PING"], timeout: configuration.healthCheckTimeout)
            if case .error = reply {
                connection.closeNow()
                return false
            }
            return true
        } catch {
            logger.info("idle redis connection failed its health check", metadata: [RedisLogKey.error: "\(error)"])
            connection.closeNow()
            return false
        }
    }

    private func waitForConnection(until deadline: Duration) async throws -> WaitOutcome {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            state.registering.insert(state.nextWaiterID)
            return state.nextWaiterID
        }
        let waited = configuration.acquireTimeout
        let maxConnections = configuration.maxConnections
        let endpoint = self.endpoint
        let timer = Task { [time] in
            do { try await time.sleep(for: deadline - time.now()) } catch { return }
            self.abandonWaiter(
                id,
                error: RedisError.poolExhausted(endpoint: endpoint, maxConnections: maxConnections, waited: waited)
            )
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WaitOutcome, any Error>) in
                let immediate: Result<WaitOutcome, any Error>? = state.withLock { state in
                    state.registering.remove(id)
                    if let error = state.abandoned.removeValue(forKey: id) { return .failure(error) }
                    if state.closed { return .failure(RedisError.closed) }
                    // Capacity may have freed up between deciding to wait and getting here.
                    if !state.idle.isEmpty || state.live.count + state.connecting < configuration.maxConnections {
                        return .success(.retry)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            self.abandonWaiter(id, error: CancellationError())
        }
    }

    private func abandonWaiter(_ id: Int, error: any Error) {
        let waiter: Waiter? = state.withLock { state in
            if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                return state.waiters.remove(at: index)
            }
            if state.registering.contains(id) { state.abandoned[id] = error }
            return nil
        }
        waiter?.continuation.resume(throwing: error)
    }
}
