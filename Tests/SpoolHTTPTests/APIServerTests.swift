import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing

@testable import SpoolHTTP

/// The server `spool serve` and `spool gateway` run, on a real socket: it answers as Hummingbird's `Application` does,
/// and on graceful shutdown stops accepting while the request in flight is answered.
@Suite struct APIServerTests {
    struct Failure: Error {}

    @Test func answersLikeApplicationAndFinishesTheRequestInFlightOnShutdown() async throws {
        let (gate, opened) = AsyncStream<Void>.makeStream()
        let (started, slowStarted) = AsyncStream<Void>.makeStream()
        let router = Router()
        router.get("/hello") { _, _ in "hi" }
        router.get("/fail") { _, _ -> String in throw Failure() }
        router.get("/slow") { _, _ -> String in
            slowStarted.yield()
            for await _ in gate { break }
            return "done"
        }
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let server = APIServer(
            router: router, listener: APIListener(host: "127.0.0.1", port: 0), logger: Logger(label: "test"),
            onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) })
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        var portIterator = ports.makeAsyncIterator()
        let port = try #require(await portIterator.next())
        let base = "http://127.0.0.1:\(port)"
        // The process-wide client: one made here would trap in its deinit (debug builds) if a request below threw
        // before its shutdown.
        let client = HTTPClient.shared

        let hello = try await client.execute(HTTPClientRequest(url: base + "/hello"), timeout: .seconds(10))
        #expect(hello.status == .ok)
        #expect(String(buffer: try await hello.body.collect(upTo: 1024)) == "hi")
        #expect(hello.headers.first(name: "server") == "spool")
        let date = try #require(hello.headers.first(name: "date"))
        #expect(date.wholeMatch(of: /[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/) != nil, "\(date)")
        let failed = try await client.execute(HTTPClientRequest(url: base + "/fail"), timeout: .seconds(10))
        #expect(failed.status == .internalServerError)

        // A request in flight, then graceful shutdown: the listener closes, the request is still answered.
        let slow = Task { try await client.execute(HTTPClientRequest(url: base + "/slow"), timeout: .seconds(30)) }
        var startedIterator = started.makeAsyncIterator()
        _ = await startedIterator.next()
        await group.triggerGracefulShutdown()
        var refused = false
        for _ in 0..<200 where !refused {
            refused =
                (try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get().close()) == nil
            if !refused { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(refused, "the listener still accepts after graceful shutdown")
        opened.yield()
        let answered = try await slow.value
        #expect(answered.status == .ok)
        #expect(String(buffer: try await answered.body.collect(upTo: 1024)) == "done")
        try await running.value
    }

    @Test func theDateHeaderIsAnIMFFixdate() {
        // RFC 9110 §5.6.7's own example.
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    /// Keeps what each logged line carries, its metadata provider's included.
    final class RecordedLines: Sendable {
        let lines = Mutex<[Logger.Metadata]>([])
    }

    struct RecordingLogHandler: LogHandler {
        let recorded: RecordedLines
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let line = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
            recorded.lines.withLock { $0.append(line) }
        }
    }

    /// A line a handler logs carries its request's ID (a different one per request); a line logged outside a request
    /// carries none.
    @Test func linesLoggedWhileAnsweringCarryTheRequestID() async throws {
        let recorded = RecordedLines()
        let handler = RecordingLogHandler(recorded: recorded)
        let logger = Logger(label: "test") { _ in handler }
        let router = Router()
        router.get("/logs") { _, context in
            context.logger.info("answering")
            return "logged"
        }
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let server = APIServer(
            router: router, listener: APIListener(host: "127.0.0.1", port: 0), logger: logger,
            onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) })
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        var portIterator = ports.makeAsyncIterator()
        let port = try #require(await portIterator.next())
        for _ in 0..<2 {
            let answer = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/logs"), timeout: .seconds(10))
            #expect(answer.status == .ok)
        }
        await group.triggerGracefulShutdown()
        try await running.value
        let ids = recorded.lines.withLock { lines in lines.compactMap { $0["hb.request.id"]?.description } }
        #expect(ids.count == 2 && Set(ids).count == 2, "\(ids)")
        #expect(
            recorded.lines.withLock { $0.contains { $0["hb.request.id"] == nil } }, "the server's own lines carry no ID"
        )
    }
}
