import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The client applications hold: one per Redis deployment, shared by every task, closed once with `close()`.
///
/// Talks to a single server or to a Redis Cluster, chosen by `RedisConfiguration.mode`. Error replies are thrown as
/// `RedisError.reply` unless `raw` is set. Replies that only mean "not here" or "not now" never reach the caller
/// while retries last: `MOVED` updates the slot map and goes to the new owner, `ASK` goes once to the importing node
/// with `ASKING`, and `TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, `UNBLOCKED`, `READONLY` are retried with backoff after a
/// slot map refresh.
///
/// ```swift
/// let redis = RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: 6379))
/// defer { Task { await redis.close() } }
/// try await redis.send(["SET", "greeting", "hello"])
/// let greeting = try await redis.send(["GET", "greeting"]).string
/// ```
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let time: TimeSource
    private let logger: Logger
    private let state = Mutex(State())

    enum Topology: Sendable {
        case standalone(RedisEndpoint)
        case cluster(ClusterSlotMap)
    }

    private struct NodePools: Sendable {
        var regular: RedisConnectionPool
        var blocking: RedisConnectionPool
    }

    private struct State {
        var closed = false
        var nodes: [RedisEndpoint: NodePools] = [:]
        var topology: Topology?
        var refresh: Task<Topology, any Error>?
        var lastRefresh: Duration?
    }

    /// Where the next attempt of a command goes when routing by slot is not enough.
    private struct Target {
        var endpoint: RedisEndpoint
        var asking: Bool
    }

    private enum Lane {
        /// A shared connection, pipelined with other callers' commands.
        case regular
        /// A connection of the call's own, closed after it (`withConnectionClosedAfterUse`): for commands that change
        /// the connection's state (`MULTI`, `WATCH`, `SELECT`, `SUBSCRIBE`, …).
        case exclusive
        /// A regular-lane write followed by `WAIT` when `configuration.replicaAcknowledgement` is set.
        case replicated
        case blocking
    }

    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "RESPClient")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.time = TimeSource(clock)
        self.logger = logger
    }

    // MARK: - Public API

    /// Sends one command and returns its reply.
    ///
    /// - Parameters:
    ///   - key: the key to route by in a cluster, for commands the built-in key table does not know; it replaces the
    ///     table's choice.
    ///   - timeout: default `configuration.connection.commandTimeout`. Blocking commands go through
    ///     `blocking(_:key:timeout:raw:)` automatically.
    ///   - raw: return error replies as `RESPValue.error` instead of throwing them.
    /// - Throws: `RedisError`; `.reply` for an error reply, `.crossSlot` before sending keys of different slots.
    @discardableResult
    public func send(
        _ command: [RESPArgument],
        key: RESPArgument? = nil,
        timeout: Duration? = nil,
        raw: Bool = false,
        replicated: Bool = false
    ) async throws -> RESPValue {
        try Self.validate(command)
        if BlockingCommand.classify(command) != .nonBlocking {
            return try await blocking(command, key: key, timeout: timeout, raw: raw)
        }
        let lane: Lane =
            replicated ? .replicated : Self.changesConnectionState(command) ? .exclusive : .regular
        let reply = try await execute(command, key: key, lane: lane, timeout: timeout)
        return try Self.unwrap(reply, raw: raw)
    }

    /// Runs a blocking command (`BLPOP`, `BRPOP`, `BLMOVE`, `BZPOPMIN`, `XREAD(GROUP) … BLOCK`, `WAIT`, …) on a
    /// connection of its own, so ordinary commands never queue behind it.
    ///
    /// The call's timeout defaults to the command's own block timeout plus `blockingTimeoutMargin`; a `timeout` you
    /// pass must be longer than the block timeout. A command that blocks forever (timeout 0) needs an explicit
    /// `timeout`, after which its connection is discarded. Cancelling the task closes the connection, which releases
    /// the server-side block.
    @discardableResult
    public func blocking(
        _ command: [RESPArgument],
        key: RESPArgument? = nil,
        timeout: Duration? = nil,
        raw: Bool = false
    ) async throws -> RESPValue {
        try Self.validate(command)
        let callTimeout = try blockingCallTimeout(for: command, requested: timeout)
        let reply = try await execute(command, key: key, lane: .blocking, timeout: callTimeout)
        return try Self.unwrap(reply, raw: raw)
    }

    /// Sends many commands with one write per server and returns one result per command, in order.
    ///
    /// Error replies become `.failure(.reply(…))` without affecting the other commands. In a cluster the commands are
    /// grouped by the node that owns their slot and the groups run concurrently; a command that was redirected or
    /// got a "try again" reply is re-sent on its own afterwards, so order is kept only among the commands of one
    /// slot that succeeded the first time. A transport failure fails the commands of the affected node.
    /// - Throws: `.crossSlot` or `.invalidArgument` before anything is sent.
    public func pipeline(
        _ commands: [[RESPArgument]],
        timeout: Duration? = nil
    ) async throws -> [Result<RESPValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        for (index, command) in commands.enumerated() {
            try Self.validate(command)
            if BlockingCommand.classify(command) != .nonBlocking {
                throw RedisError.invalidArgument(
                    "\(RedisConnection.commandName(command)) (command \(index + 1)) blocks, which would stall every "
                        + "command behind it — send it with blocking(_:) instead of in a pipeline"
                )
            }
        }
        let topology = try await currentTopology()
        var slots = [Int?](repeating: nil, count: commands.count)
        var groups: [(endpoint: RedisEndpoint, indices: [Int])] = []
        var unrouted: [Int] = []
        switch topology {
        case .standalone(let endpoint):
            groups = [(endpoint, Array(commands.indices))]
        case .cluster(let map):
            var groupIndex: [RedisEndpoint: Int] = [:]
            for (index, command) in commands.enumerated() {
                slots[index] = try Self.slot(of: command, key: nil)
                guard let endpoint = slots[index].map({ map.master(forSlot: $0) }) ?? map.anyMaster else {
                    unrouted.append(index)
                    continue
                }
                if let existing = groupIndex[endpoint] {
                    groups[existing].indices.append(index)
                } else {
                    groupIndex[endpoint] = groups.count
                    groups.append((endpoint, [index]))
                }
            }
        }

        var results = [Result<RESPValue, RedisError>?](repeating: nil, count: commands.count)
        var retry: [(index: Int, target: Target?)] = unrouted.map { ($0, nil) }
        let isCluster = if case .cluster = topology { true } else { false }
        try await withThrowingTaskGroup(of: (Int, Result<[RESPValue], RedisError>).self) { group in
            for (groupNumber, entry) in groups.enumerated() {
                let batch = entry.indices.map { commands[$0] }
                group.addTask {
                    do {
                        let pool = try self.pools(for: entry.endpoint).regular
                        let replies =
                            if batch.contains(where: Self.changesConnectionState) {
                                try await pool.withConnectionClosedAfterUse { connection in
                                    try await connection.pipeline(batch, timeout: timeout)
                                }
                            } else {
                                try await pool.withSharedConnection { connection in
                                    try await connection.pipeline(batch, timeout: timeout)
                                }
                            }
                        return (groupNumber, .success(replies))
                    } catch let error as RedisError {
                        return (groupNumber, .failure(error))
                    }
                }
            }
            for try await (groupNumber, outcome) in group {
                let (endpoint, indices) = groups[groupNumber]
                switch outcome {
                case .failure(let error):
                    if isCluster, !error.isSafeToRetry { scheduleRefresh() }  // the node may have failed over
                    for index in indices {
                        if isCluster && error.isSafeToRetry {
                            retry.append((index, nil))
                        } else {
                            results[index] = .failure(error)
                        }
                    }
                case .success(let replies):
                    for (index, reply) in zip(indices, replies) {
                        guard case .error(let message) = reply else {
                            results[index] = .success(reply)
                            continue
                        }
                        let error = RedisReplyError(message: message)
                        if isCluster, let redirection = error.redirection(defaultHost: endpoint.host) {
                            switch redirection {
                            case .moved(let slot, let to):
                                applyMoved(slot: slot, to: to)
                                retry.append((index, nil))
                            case .ask(_, let to):
                                retry.append((index, Target(endpoint: to, asking: true)))
                            }
                        } else if error.isRetryable {
                            retry.append((index, nil))
                        } else {
                            results[index] = .failure(.reply(error))
                        }
                    }
                }
            }
        }
        for (index, target) in retry.sorted(by: { $0.index < $1.index }) {
            do {
                let reply = try await execute(
                    commands[index], key: nil, lane: .regular, timeout: timeout, target: target)
                if case .error(let message) = reply {
                    results[index] = .failure(.reply(RedisReplyError(message: message)))
                } else {
                    results[index] = .success(reply)
                }
            } catch let error as RedisError {
                results[index] = .failure(error)
            }
        }
        return results.map { $0! }
    }

    /// Runs a Lua script by SHA (`EVALSHA`); if the server answers `NOSCRIPT` (cache flushed, restart, failover) the
    /// source is sent once with `EVAL`, which also caches it again.
    /// In a cluster all `keys` must share a slot; the call goes to that slot's master.
    /// With `configuration.replicaAcknowledgement` set, a script that `writes` waits for the replicas it asks for.
    @discardableResult
    public func run(
        script: RedisScript,
        keys: [RESPArgument] = [],
        arguments: [RESPArgument] = [],
        timeout: Duration? = nil,
        writes: Bool = true
    ) async throws -> RESPValue {
        let lane: Lane = writes ? .replicated : .regular
        let reply = try await execute(
            script.evalSHA(keys: keys, arguments: arguments), lane: lane, timeout: timeout)
        if case .error(let message) = reply, RedisReplyError(message: message).code == "NOSCRIPT" {
            logger.debug(
                "script not cached on the server; sending its source", metadata: ["redis.script": "\(script.sha1)"])
            let retried = try await execute(
                script.eval(keys: keys, arguments: arguments), lane: lane, timeout: timeout)
            return try Self.unwrap(retried, raw: false)
        }
        return try Self.unwrap(reply, raw: false)
    }

    /// Whether the deployment is a single server or a cluster; with `.automatic` this asks the server once.
    public func resolvedMode() async throws -> RedisConfiguration.Mode {
        switch try await currentTopology() {
        case .standalone: return .standalone
        case .cluster: return .cluster
        }
    }

    /// Closes every connection. Calls in flight fail with `RedisError.connectionClosed`, later calls with `.closed`.
    public func close() async {
        let (nodes, refresh) = state.withLock { state in
            state.closed = true
            let nodes = Array(state.nodes.values)
            state.nodes = [:]
            return (nodes, state.refresh)
        }
        refresh?.cancel()
        for node in nodes {
            await node.regular.close()
            await node.blocking.close()
        }
    }

    // MARK: - Routing and retries

    private func execute(
        _ command: [RESPArgument],
        key: RESPArgument? = nil,
        lane: Lane,
        timeout: Duration?,
        target initialTarget: Target? = nil
    ) async throws -> RESPValue {
        var target = initialTarget
        var attempt = 1
        var redirections = 0
        let name = RedisConnection.commandName(command)
        var logger = self.logger
        logger[metadataKey: RedisLogKey.command] = "\(name)"

        while true {
            let topology = try await currentTopology()
            let endpoint: RedisEndpoint
            var asking = false
            var isCluster = false
            var slot: Int?
            switch topology {
            case .standalone(let standalone):
                endpoint = standalone
            case .cluster(let map):
                isCluster = true
                slot = try Self.slot(of: command, key: key)
                if let target {
                    endpoint = target.endpoint
                    asking = target.asking
                } else if let owner = slot.map({ map.master(forSlot: $0) }) ?? map.anyMaster {
                    endpoint = owner
                } else {
                    let reason = "slot \(slot ?? -1) has no master — check `redis-cli --cluster check`"
                    guard attempt < configuration.retryAttempts else {
                        throw RedisError.clusterUnavailable(reason: reason)
                    }
                    attempt += 1
                    try await pause(beforeAttempt: attempt, refresh: true, logger: logger, reason: reason)
                    continue
                }
            }
            target = nil

            let reply: RESPValue
            do {
                reply = try await send(command, to: endpoint, asking: asking, lane: lane, timeout: timeout)
            } catch let error as RedisError where isCluster {
                switch error {
                case .connectionFailed, .circuitOpen:
                    // Nothing was sent; the node may have failed over to a replica we do not know as master yet.
                    guard attempt < configuration.retryAttempts else { throw error }
                    attempt += 1
                    try await pause(beforeAttempt: attempt, refresh: true, logger: logger, reason: "\(error)")
                    continue
                case .connectionClosed, .timeout:
                    scheduleRefresh()  // the command may have run, so it is not retried; but the map may be stale
                    throw error
                default:
                    throw error
                }
            }

            guard case .error(let message) = reply else { return reply }
            let error = RedisReplyError(message: message)
            if isCluster, let redirection = error.redirection(defaultHost: endpoint.host) {
                redirections += 1
                guard redirections <= configuration.maxRedirections else {
                    throw RedisError.tooManyRedirections(
                        command: name, limit: configuration.maxRedirections, last: message)
                }
                switch redirection {
                case .moved(let movedSlot, let to):
                    logger.debug("MOVED", metadata: [RedisLogKey.slot: "\(movedSlot)", RedisLogKey.endpoint: "\(to)"])
                    applyMoved(slot: movedSlot, to: to)
                    scheduleRefresh()
                    target = Target(endpoint: to, asking: false)
                case .ask(let askSlot, let to):
                    logger.debug("ASK", metadata: [RedisLogKey.slot: "\(askSlot)", RedisLogKey.endpoint: "\(to)"])
                    target = Target(endpoint: to, asking: true)
                }
                continue
            }
            if error.isRetryable {
                guard attempt < configuration.retryAttempts else {
                    throw RedisError.retriesExhausted(command: name, attempts: attempt, last: error)
                }
                attempt += 1
                try await pause(
                    beforeAttempt: attempt,
                    refresh: isCluster && error.needsTopologyRefresh,
                    logger: logger,
                    reason: message
                )
                continue
            }
            return reply
        }
    }

    private func send(
        _ command: [RESPArgument],
        to endpoint: RedisEndpoint,
        asking: Bool,
        lane: Lane,
        timeout: Duration?
    ) async throws -> RESPValue {
        let nodes = try pools(for: endpoint)
        switch lane {
        case .replicated:
            guard let acknowledgement = configuration.replicaAcknowledgement else {
                return try await send(command, to: endpoint, asking: asking, lane: .regular, timeout: timeout)
            }
            return try await nodes.regular.withConnection { connection in
                // WAIT counts this connection's writes, so it must follow the write on the same connection.
                let batch = (asking ? [["ASKING"]] : []) + [command, acknowledgement.command]
                let replies = try await connection.pipeline(
                    batch, timeout: (timeout ?? configuration.connection.commandTimeout) + acknowledgement.timeout)
                let reply = replies[replies.count - 2]
                if case .error = reply { return reply }
                let acknowledged = replies[replies.count - 1].int ?? 0
                guard acknowledged >= acknowledgement.replicas else {
                    throw RedisError.notReplicated(
                        command: RedisConnection.commandName(command), acknowledged: acknowledged,
                        required: acknowledgement.replicas, within: acknowledgement.timeout, endpoint: endpoint)
                }
                return reply
            }
        case .regular:
            return try await nodes.regular.withSharedConnection { connection in
                try await Self.send(command, asking: asking, on: connection, timeout: timeout)
            }
        case .exclusive:
            return try await nodes.regular.withConnectionClosedAfterUse { connection in
                try await Self.send(command, asking: asking, on: connection, timeout: timeout)
            }
        case .blocking:
            return try await nodes.blocking.withConnection { connection in
                try await withTaskCancellationHandler {
                    try await Self.send(command, asking: asking, on: connection, timeout: timeout)
                } onCancel: {
                    // The server would keep the client blocked and deliver the popped element to nobody.
                    connection.closeNow()
                }
            }
        }
    }

    private func pause(beforeAttempt attempt: Int, refresh: Bool, logger: Logger, reason: String) async throws {
        let delay = configuration.retryBackoff.delay(forAttempt: attempt - 1)
        logger.debug(
            "retrying redis command",
            metadata: [
                RedisLogKey.attempt: "\(attempt)", RedisLogKey.delay: "\(delay.shortDescription)",
                RedisLogKey.error: "\(reason)",
            ]
        )
        try await time.sleep(for: delay)
        if refresh { _ = try? await refreshTopology() }
    }

    private func blockingCallTimeout(for command: [RESPArgument], requested: Duration?) throws -> Duration {
        let name = RedisConnection.commandName(command)
        switch BlockingCommand.classify(command) {
        case .nonBlocking:
            return requested ?? configuration.connection.commandTimeout
        case .blocks(let blockTime):
            guard let requested else { return blockTime + configuration.blockingTimeoutMargin }
            guard requested > blockTime else {
                throw RedisError.invalidArgument(
                    "\(name) may block for \(blockTime.shortDescription) but the call timeout is "
                        + "\(requested.shortDescription); make the timeout longer than the block time, or every empty "
                        + "wait ends as a timeout and a discarded connection"
                )
            }
            return requested
        case .forever:
            guard let requested else {
                throw RedisError.invalidArgument(
                    "\(name) with a block timeout of 0 waits forever; give it a finite block timeout, or pass "
                        + "timeout: to give up after that long (the connection is then discarded)"
                )
            }
            return requested
        case .unknown:
            guard let requested else {
                throw RedisError.invalidArgument(
                    "cannot read how long \(name) blocks from its arguments; pass timeout: longer than its block time"
                )
            }
            return requested
        }
    }

    /// The slot all keys of `command` share, `nil` for keyless commands.
    static func slot(of command: [RESPArgument], key: RESPArgument?) throws -> Int? {
        // A key named by the caller replaces the table's guess: the caller knows the command better.
        let keys = key.map { [$0] } ?? CommandKeys.keys(of: command)
        guard let first = keys.first else { return nil }
        let slot = HashSlot.slot(for: first)
        if keys.contains(where: { HashSlot.slot(for: $0) != slot }) {
            throw RedisError.crossSlot(command: RedisConnection.commandName(command), keys: keys.map(\.string))
        }
        return slot
    }

    /// One command on `connection`, after `ASKING` when a migrating slot's new owner is asked for it.
    private static func send(
        _ command: [RESPArgument], asking: Bool, on connection: RedisConnection, timeout: Duration?
    ) async throws -> RESPValue {
        if asking {
            return try await connection.pipeline([["ASKING"], command], timeout: timeout)[1]
        }
        return try await connection.send(command, timeout: timeout)
    }

    /// Commands that leave state on their connection, sent on a connection of their own rather than a shared one.
    static func changesConnectionState(_ command: [RESPArgument]) -> Bool {
        guard let name = command.first?.string.uppercased() else { return false }
        switch name {
        case "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE",
            "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR", "RESET", "HELLO", "AUTH", "READONLY", "READWRITE",
            "QUIT", "CLIENT":
            return true
        default:
            return false
        }
    }

    private static func validate(_ command: [RESPArgument]) throws {
        guard !command.isEmpty else {
            throw RedisError.invalidArgument("empty command — the first argument must be the command name")
        }
    }

    private static func unwrap(_ reply: RESPValue, raw: Bool) throws -> RESPValue {
        if !raw, case .error(let message) = reply { throw RedisError.reply(RedisReplyError(message: message)) }
        return reply
    }

    /// The servers whose circuit breaker is open now (calls to them fail fast until it probes again), for metrics
    /// and readiness.
    public var openCircuits: [RedisEndpoint] {
        state.withLock { state in
            state.nodes.compactMap { endpoint, nodes in
                if case .open = nodes.regular.factory.breakerState { return endpoint }
                return nil
            }
        }
    }

    // MARK: - Topology

    private func pools(for endpoint: RedisEndpoint) throws -> NodePools {
        try state.withLock { state throws(RedisError) in
            if state.closed { throw .closed }
            if let nodes = state.nodes[endpoint] { return nodes }
            // Both lanes share one factory, so one circuit breaker per server.
            let factory = RedisConnectionFactory(
                endpoint: endpoint,
                connectionConfiguration: configuration.connection,
                poolConfiguration: configuration.pool,
                eventLoopGroup: eventLoopGroup,
                time: time,
                logger: logger
            )
            let nodes = NodePools(
                regular: RedisConnectionPool(
                    factory: factory, configuration: configuration.pool, time: time, logger: logger),
                blocking: RedisConnectionPool(
                    factory: factory,
                    configuration: configuration.blockingPool,
                    time: time,
                    logger: logger
                )
            )
            state.nodes[endpoint] = nodes
            return nodes
        }
    }

    func currentTopology() async throws -> Topology {
        let known = try state.withLock { state throws(RedisError) in
            if state.closed { throw .closed }
            return state.topology
        }
        if let known { return known }
        return try await refreshTopology()
    }

    /// Loads the slot map (or decides the server is standalone). Concurrent callers share one load.
    @discardableResult
    func refreshTopology() async throws -> Topology {
        let task = try state.withLock { state throws(RedisError) -> Task<Topology, any Error> in
            if state.closed { throw .closed }
            if let running = state.refresh { return running }
            // The task's own final lock section cannot run before this one ends, so it always finds itself stored.
            let task = Task<Topology, any Error> {
                let result: Result<Topology, any Error>
                do { result = .success(try await self.loadTopology()) } catch { result = .failure(error) }
                let now = self.time.now()
                self.state.withLock { state in
                    state.refresh = nil
                    if case .success(let topology) = result {
                        state.topology = topology
                        state.lastRefresh = now
                    }
                }
                return try result.get()
            }
            state.refresh = task
            return task
        }
        return try await task.value
    }

    /// Starts a refresh in the background unless one ran very recently; for hints that the map is stale.
    private func scheduleRefresh() {
        let now = time.now()
        let due = state.withLock { state in
            guard !state.closed, state.refresh == nil else { return false }
            if let last = state.lastRefresh, now - last < .milliseconds(100) { return false }
            return true
        }
        guard due else { return }
        Task { _ = try? await self.refreshTopology() }
    }

    private func applyMoved(slot: Int, to endpoint: RedisEndpoint) {
        state.withLock { state in
            guard case .cluster(var map) = state.topology else { return }
            state.topology = nil  // drop the old reference so the map is patched in place
            map.assign(slot: slot, to: endpoint)
            state.topology = .cluster(map)
        }
    }

    private func loadTopology() async throws -> Topology {
        let seeds = configuration.endpoints
        guard let first = seeds.first else {
            throw RedisError.invalidArgument("RedisConfiguration.endpoints is empty — give at least one host and port")
        }
        if configuration.mode == .standalone { return .standalone(first) }

        var candidates: [RedisEndpoint] = []
        if case .cluster(let map) = state.withLock({ $0.topology }) { candidates = map.masters }
        for seed in seeds where !candidates.contains(seed) { candidates.append(seed) }

        // Every candidate is asked at once and the first answer wins: a master that is paused or partitioned (the
        // very reason for a refresh) would otherwise hold each refresh for its connect timeouts before the next node
        // is asked. The askers still running are left to finish on their own.
        let (answers, sink) = AsyncStream.makeStream(of: (RedisEndpoint, Result<Topology, any Error>).self)
        for endpoint in candidates {
            Task {
                do {
                    sink.yield((endpoint, .success(try await self.askSlots(endpoint))))
                } catch {
                    sink.yield((endpoint, .failure(error)))
                }
            }
        }
        var failures: [String] = []
        var lastError: (any Error)?
        var answered = 0
        for await (endpoint, result) in answers {
            answered += 1
            switch result {
            case .success(let topology):
                sink.finish()
                return topology
            case .failure(let error):
                if case RedisError.clusterUnavailable = error { sink.finish(); throw error }
                if case RedisError.closed = error { sink.finish(); throw error }
                failures.append("\(endpoint): \(error)")
                lastError = error
            }
            if answered == candidates.count { break }
        }
        sink.finish()
        // With a single seed its own error (e.g. "is redis-server running?") is the most useful thing to show.
        if candidates.count == 1, let lastError { throw lastError }
        throw RedisError.clusterUnavailable(
            reason: "no node answered CLUSTER SLOTS (" + failures.joined(separator: "; ") + ")"
        )
    }

    /// One node's view of the slots (or its word that it is a standalone server).
    private func askSlots(_ endpoint: RedisEndpoint) async throws -> Topology {
        let reply = try await pools(for: endpoint).regular.withConnection { connection in
            try await connection.send(["CLUSTER", "SLOTS"])
        }
        if case .error(let message) = reply {
            let error = RedisReplyError(message: message)
            if message.lowercased().contains("cluster support disabled") {
                if configuration.mode == .automatic { return .standalone(endpoint) }
                throw RedisError.clusterUnavailable(
                    reason: "\(endpoint) has cluster support disabled — set RedisConfiguration.mode to "
                        + ".standalone or .automatic, or enable cluster-enabled on the server"
                )
            }
            throw RedisError.reply(error)
        }
        let map = try ClusterSlotMap(clusterSlots: reply, replyingHost: endpoint.host)
        logger.debug(
            "loaded redis cluster slot map",
            metadata: ["redis.masters": "\(map.masters.count)", "redis.slots": "\(map.servedSlotCount)"]
        )
        return .cluster(map)
    }

    /// The master the client currently routes `slot` to; for tests and diagnostics.
    func routedMaster(forSlot slot: Int) -> RedisEndpoint? {
        guard case .cluster(let map) = state.withLock({ $0.topology }) else { return nil }
        return map.master(forSlot: slot)
    }
}
