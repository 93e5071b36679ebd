import Logging
import NIOCore
import NIOPosix

/// One TCP connection to one Redis server.
///
/// Commands may be sent from many tasks at once; they are written in call order and replies are matched first in,
/// first out, so many commands can be in flight (pipelining). Every call has a timeout. After a timeout, an I/O error
/// or a malformed reply the connection is broken for good: pending and later calls fail, and pools discard it.
///
/// Replies are returned raw: an error reply is a `RESPValue.error`, not a thrown error. `RedisClient` is the
/// higher-level API that throws them, retries and routes.
public final class RedisConnection: Sendable {
    public let endpoint: RedisEndpoint
    public let configuration: Configuration
    private let channel: any Channel
    private let flags: ConnectionFlags
    private let logger: Logger

    private init(
        channel: any Channel,
        endpoint: RedisEndpoint,
        configuration: Configuration,
        flags: ConnectionFlags,
        logger: Logger
    ) {
        self.channel = channel
        self.endpoint = endpoint
        self.configuration = configuration
        self.flags = flags
        self.logger = logger
    }

    /// Connects and runs the handshake (`HELLO 3`, `AUTH`, `CLIENT SETNAME`, `SELECT` as configured).
    /// One attempt: retries, backoff and the circuit breaker live in `RedisConnectionPool`.
    /// - Throws: `RedisError.connectionFailed`, `.handshakeFailed`, or `.timeout` if the server accepts but never
    ///   answers the handshake.
    public static func connect(
        to endpoint: RedisEndpoint,
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "RESPClient")
    ) async throws -> RedisConnection {
        let flags = ConnectionFlags()
        let limits = configuration.decoderLimits
        var logger = logger
        logger[metadataKey: RedisLogKey.endpoint] = "\(endpoint)"
        let handlerLogger = logger
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
                .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(RESPDecoder(limits: limits)),
                            RedisChannelHandler(endpoint: endpoint, flags: flags, logger: handlerLogger)
                        )
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port)
                .get()
        } catch {
            throw RedisError.connectionFailed(
                endpoint: endpoint,
                attempts: 1,
                reason: RedisError.describeConnectFailure(error, endpoint: endpoint)
            )
        }
        let connection = RedisConnection(
            channel: channel,
            endpoint: endpoint,
            configuration: configuration,
            flags: flags,
            logger: logger
        )
        do {
            try await connection.runHandshake()
        } catch {
            await connection.close()
            throw error
        }
        logger.debug("redis connection open")
        return connection
    }

    private func runHandshake() async throws {
        let commands = configuration.handshake
        guard !commands.isEmpty else { return }
        let replies = try await pipeline(commands, timeout: configuration.connectTimeout + configuration.commandTimeout)
        for (command, reply) in zip(commands, replies) {
            if case .error(let message) = reply {
                throw RedisError.handshakeFailed(
                    endpoint: endpoint,
                    command: command[0].string,
                    RedisReplyError(message: message)
                )
            }
        }
    }

    /// True once the connection must not be used again.
    public var isBroken: Bool {
        flags.isBroken || !channel.isActive
    }

    /// Sends one command and waits for its reply, at most `timeout` (default: `configuration.commandTimeout`).
    public func send(_ command: [RESPArgument], timeout: Duration? = nil) async throws -> RESPValue {
        try await pipeline([command], timeout: timeout)[0]
    }

    /// Writes all commands at once and returns their replies in the same order. `timeout` covers the whole batch.
    public func pipeline(_ commands: [[RESPArgument]], timeout: Duration? = nil) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        if let empty = commands.firstIndex(where: \.isEmpty) {
            throw RedisError.invalidArgument("command \(empty + 1) of the pipeline is empty — pass a command name")
        }
        let label = Self.label(commands)
        guard !flags.isBroken else {
            throw RedisError.connectionClosed(endpoint: endpoint, reason: "the connection broke earlier")
        }
        let timeout = timeout ?? configuration.commandTimeout
        var payload = channel.allocator.buffer(capacity: 64 * commands.count)
        for command in commands {
            RESPEncoder.encode(command, into: &payload)
        }
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        let request = RedisRequest(
            payload: payload,
            count: commands.count,
            promise: promise,
            deadline: .now() + TimeAmount(timeout),
            timeout: timeout,
            label: label
        )
        let endpoint = self.endpoint
        channel.writeAndFlush(request).whenFailure { error in
            // The channel closed before the handler saw the request; nothing else will answer the promise.
            promise.fail(RedisError.connectionClosed(endpoint: endpoint, reason: "\(error)"))
        }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            // The reply still arrives later and is dropped, which keeps the FIFO in step for other callers.
            promise.fail(CancellationError())
        }
    }

    /// Closes the connection; commands still in flight fail with `RedisError.connectionClosed`.
    public func close() async {
        flags.markClosing()
        try? await channel.close()
    }

    /// `close()` without waiting, for cancellation handlers and pools.
    func closeNow() {
        flags.markClosing()
        channel.close(promise: nil)
    }

    static func label(_ commands: [[RESPArgument]]) -> String {
        if commands.count == 1 { return commandName(commands[0]) }
        let names = commands.prefix(3).map(commandName).joined(separator: ", ")
        return "pipeline of \(commands.count) commands (\(names)\(commands.count > 3 ? ", …" : ""))"
    }

    static func commandName(_ command: [RESPArgument]) -> String {
        command.first?.string.uppercased() ?? "(empty command)"
    }
}
