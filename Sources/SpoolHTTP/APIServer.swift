import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Where an `APIServer` listens.
public struct APIListener: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// 4,096 by default (the kernel caps it at net.core.somaxconn, 4,096 since Linux 5.4): with Hummingbird's 256, a
    /// burst of a thousand clients connecting at once overflowed the accept queue, the kernel dropped their SYNs, and
    /// they retried after 1 s, then 3 s.
    public var backlog: Int

    public init(host: String, port: Int, backlog: Int = 4096) {
        self.host = host
        self.port = port
        self.backlog = backlog
    }
}

/// Serves a router over HTTP/1.1 through Hummingbird's HTTP/1 channel, behind an accept loop that takes a burst of
/// connections at once.
///
/// Why not Hummingbird's `Application`: its server passes accepted connections to one task through a stream that holds
/// ten, and stops accepting until that task has taken them. That task waits its turn behind every request of the
/// connections already open, so a thousand clients connecting together sat in the kernel's accept queue for most of a
/// second (`ss` showed it draining at ~800 connections a second) and their first requests took up to 2.6 s
/// (bench/gateway's p99 at 1,000 connections, against 10 ms for NGINX). Here the stream holds up to the listen
/// backlog: the event loop accepts the whole burst as it arrives and the loop takes it in one turn.
///
/// Everything else is what `Application` does: the same HTTP/1 channel, a `Date` and `Server` header on every
/// response, a 500 for an error no middleware answered, and on graceful shutdown the listener closes while open
/// connections finish the request they are on.
public struct APIServer<Context: RequestContext>: Service where Context.Source == ApplicationRequestContextSource {
    let responder: RouterResponder<Context>
    let listener: APIListener
    let serverName: String?
    let services: [any Service]
    let onServerRunning: @Sendable (any Channel) async -> Void
    let logger: Logger
    let eventLoopAnswers: (any EventLoopAnswering)?

    /// - Parameters:
    ///   - services: run beside the server in one group, as `Application` runs its services.
    ///   - eventLoopAnswers: answers ready without waiting, given before the router is asked.
    public init(
        router: Router<Context>, listener: APIListener, serverName: String? = "spool", services: [any Service] = [],
        eventLoopAnswers: (any EventLoopAnswering)? = nil, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) {
        responder = router.buildResponder()
        self.eventLoopAnswers = eventLoopAnswers
        self.listener = listener
        self.serverName = serverName
        self.services = services
        self.onServerRunning = onServerRunning
        self.logger = RequestIDLogging.tagging(logger)
    }

    public func run() async throws {
        let (answers, serverName) = (eventLoopAnswers, serverName)
        // One handler per connection: the configuration's closure runs for each.
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: answers.map { [EventLoopAnswerHandler(answers: $0, serverName: serverName)] }
                ?? [])
        let listening = Listening(
            channel: HTTP1Channel(responder: respond, configuration: configuration), listener: listener,
            onServerRunning: onServerRunning, logger: logger)
        let group = ServiceGroup(configuration: .init(services: services + [listening], logger: logger))
        try await group.run()
    }

    /// One request, as `Application` answers it.
    private var respond: HTTPChannelHandler.Responder {
        let responder = responder
        let serverName = serverName
        let logger = logger
        return { request, writer, channel in
            let context = Context(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            let id = RequestID()
            var response: Response
            do {
                response = try await RequestIDLogging.$requestID.withValue(id) {
                    try await responder.respond(to: request, context: context)
                }
            } catch let error as HTTPParserError {
                throw error
            } catch {
                logger.debug("Unrecognised Error", metadata: ["error.type": "\(error)", "hb.request.id": "\(id)"])
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = HTTPDate.now
            if let serverName { response.headers[.server] = serverName }
            do {
                try await writer.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                // A parser error thrown from here would make the channel write a second response; any other error
                // closes the connection.
                throw UnreadableRequestWhileResponding()
            }
        }
    }
}

private struct UnreadableRequestWhileResponding: Error {}

/// The listening socket and its accept loop.
private struct Listening: Service {
    let channel: HTTP1Channel
    let listener: APIListener
    let onServerRunning: @Sendable (any Channel) async -> Void
    let logger: Logger

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let channel = channel
        let logger = logger
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Int32(clamping: listener.backlog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Up to 64 accepts each time the listener is readable, not NIO's 4: the event loop turns slowly while it
            // carries a thousand connections, and four a turn left hundreds waiting in the kernel's queue.
            .serverChannelOption(.maxMessagesPerRead, value: 64)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer { server in
                server.eventLoop.makeCompletedFuture {
                    try server.pipeline.syncOperations.addHandler(
                        quiescing.makeServerChannelHandler(channel: server))
                }
            }
            .bind(
                host: listener.host, port: listener.port,
                // The reason for this type: accepted connections wait here, not in the kernel's queue.
                serverBackPressureStrategy: .init(lowWatermark: listener.backlog / 2, highWatermark: listener.backlog)
            ) { child in channel.setup(channel: child, logger: logger) }
        logger.info("Server started and listening on \(listener.host):\(server.channel.localAddress?.port ?? 0)")
        await withGracefulShutdownHandler {
            await onServerRunning(server.channel)
            await withDiscardingTaskGroup { connections in
                do {
                    try await server.executeThenClose { accepted in
                        for try await connection in accepted {
                            connections.addTask { await channel.handle(value: connection, logger: logger) }
                        }
                    }
                } catch {
                    logger.error("Waiting on child channel: \(error)")
                }
            }
        } onGracefulShutdown: {
            // Closes the listener (which ends the loop above) and asks each connection to close once its request is
            // answered; the task group waits for them.
            quiescing.initiateShutdown(promise: nil)
        }
    }
}
