import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import SpoolAPIModels
import SpoolCore
import SpoolInMemoryStore
import Synchronization
import Testing

@testable import SpoolHTTP

/// Cached job reads answered on the event loop, on a real server and socket: the same bytes as the router's answer,
/// counted by the same limiter and metrics, in request order on a pipelined connection, and everything the event loop
/// cannot decide at once (another tenant, an unknown key, a refusal, a close) left to the router.
@Suite struct EventLoopAnswerTests {
    static let adminKey = "admin-key-for-tests-0123456789"

    /// Counts the answers the event loop gave.
    final class CountedAnswers: EventLoopAnswering {
        let inner: any EventLoopAnswering
        let given = Atomic<Int>(0)

        init(_ inner: any EventLoopAnswering) { self.inner = inner }

        func answer(_ request: HTTPRequest, clientAddress: String) -> ReadyAnswer? {
            let answer = inner.answer(request, clientAddress: clientAddress)
            if answer != nil { given.add(1, ordering: .relaxed) }
            return answer
        }
    }

    /// A server over the in-memory store; `body` gets its base URL and the counted answers.
    func withServer(
        authentication: AuthenticationMode, rateLimits: RateLimitSettings = RateLimitSettings(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        _ body: (_ port: Int, _ answers: CountedAnswers, _ shutDown: @Sendable () async -> Void) async throws -> Void
    ) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-el-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = DataLayout(root: root.appendingPathComponent("data").path)
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        let store = InMemoryJobStore()
        var api = SpoolAPI(
            store: store,
            configuration: APIConfiguration(
                layout: layout, inputPolicy: InputPolicy(inputRoots: [root.path]), authentication: authentication,
                rateLimits: rateLimits,
                // A queued job's answer is kept 500 ms by default; on a loaded machine the next read may come later.
                jobCache: JobCacheSettings(liveLifetime: .seconds(3_600))))
        api.requestMetrics = RequestMetricHandles(factory: PrometheusMetricsFactory(registry: registry))
        // Keys are kept 5 s by default; on a loaded machine the next read may come later.
        api.tenantKeys = TenantKeyCache(store: store, lifetime: .seconds(3_600))
        let answers = CountedAnswers(api.eventLoopAnswers())
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let server = APIServer(
            router: api.router(), listener: APIListener(host: "127.0.0.1", port: 0), eventLoopAnswers: answers,
            logger: Logger(label: "test"), onServerRunning: { announce.yield($0.localAddress?.port ?? 0) })
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            try await body(port, answers, { await group.triggerGracefulShutdown() })
        } catch {
            await group.triggerGracefulShutdown()
            try? await running.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// One HTTP answer as read off the wire.
    struct WireAnswer {
        var statusLine: String
        var fields: [(name: String, value: String)]
        var body: String

        func field(_ name: String) -> String? { fields.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    /// A raw TCP connection to the server, bytes in and out.
    func connect(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// On one connection, writes each batch of raw HTTP/1.1 requests at once (several in a batch: pipelined) and reads
    /// its answers before the next; with `readingToClose`, then reads on and says whether the server closed it.
    func exchange(port: Int, _ batches: [[String]], readingToClose: Bool = false) async throws -> (
        answers: [WireAnswer], closed: Bool
    ) {
        return try await connect(port: port).executeThenClose { inbound, outbound in
            var received = [UInt8]()
            var parsed: [WireAnswer] = []
            var iterator = inbound.makeAsyncIterator()
            for batch in batches {
                try await outbound.write(ByteBuffer(string: batch.joined()))
                let wanted = parsed.count + batch.count
                while parsed.count < wanted {
                    guard let chunk = try await iterator.next() else { return (parsed, true) }
                    received += Array(chunk.readableBytesView)
                    while let (answer, used) = Self.parse(received) {
                        parsed.append(answer)
                        received.removeFirst(used)
                    }
                }
            }
            guard readingToClose else { return (parsed, false) }
            return (parsed, try await iterator.next() == nil)
        }
    }

    /// One whole answer (head and a Content-Length body) from the front of `bytes`, and how many bytes it took.
    static func parse(_ bytes: [UInt8]) -> (WireAnswer, Int)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let fields = head.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(fields.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        let bodyStart = end + separator.count
        guard bytes.count >= bodyStart + length else { return nil }
        let body = String(decoding: bytes[bodyStart..<bodyStart + length], as: UTF8.self)
        return (WireAnswer(statusLine: head[0], fields: fields, body: body), bodyStart + length)
    }

    static func get(_ path: String, key: String? = nil, close: Bool = false) -> String {
        "GET \(path) HTTP/1.1\r\nHost: spool\r\n" + (key.map { "Authorization: Bearer \($0)\r\n" } ?? "")
            + (close ? "Connection: close\r\n" : "") + "\r\n"
    }

    func post(_ port: Int, _ path: String, key: String?, body: String) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// Uploads an input and submits a job of it; its ID.
    func submit(_ port: Int, key: String?) async throws -> String {
        let (uploaded, upload) = try await post(port, "/v1/uploads", key: key, body: "bytes")
        #expect(uploaded == 201, "\(upload)")
        let input = try APITests.decode(UploadView.self, ByteBuffer(string: upload)).uri
        let (status, body) = try await post(
            port, "/v1/jobs", key: key, body: #"{"input": "\#(input)", "preset": "web-360p"}"#)
        #expect(status == 202, "\(body)")
        return try APITests.decode(JobView.self, ByteBuffer(string: body)).id.rawValue
    }

    @Test func aCachedJobIsAnsweredOnTheEventLoopWithTheRoutersBytesLimitsAndMetrics() async throws {
        let registry = PrometheusCollectorRegistry()
        // Limits that refill too slowly to matter here, so each request's count shows in the answer.
        let slow = RateLimit(perSecond: 0.000_001, burst: 1_000)
        try await withServer(
            authentication: .keys(adminKeyHash: APIKeys.hash(Self.adminKey)),
            rateLimits: RateLimitSettings(tenantDefault: slow, perAddress: slow), registry: registry
        ) { port, answers, _ in
            func tenantKey(_ id: String) async throws -> String {
                let (created, body) = try await post(
                    port, "/v1/admin/tenants", key: Self.adminKey, body: #"{"id": "\#(id)"}"#)
                #expect(created == 201)
                return try #require(try APITests.decode(TenantView.self, ByteBuffer(string: body)).apiKey)
            }
            let acmeKey = try await tenantKey("acme")
            let globexKey = try await tenantKey("globex")
            let id = try await submit(port, key: acmeKey)
            let read = Self.get("/v1/jobs/\(id)", key: acmeKey)

            // The first read misses the cache and goes to the router; the second is answered on the event loop.
            let (answered, _) = try await exchange(port: port, [[read], [read]])
            try #require(answered.count == 2)
            #expect(answers.given.load(ordering: .relaxed) == 1)
            let (routed, fast) = (answered[0], answered[1])
            #expect(fast.statusLine == "HTTP/1.1 200 OK" && routed.statusLine == fast.statusLine)
            #expect(fast.body == routed.body && fast.body.contains(id))
            // The same fields in the same order; only the date and the count left may differ.
            #expect(fast.fields.map(\.name) == routed.fields.map(\.name))
            for ((name, value), (_, routedValue)) in zip(fast.fields, routed.fields)
            where !["date", "ratelimit"].contains(name.lowercased()) {
                #expect(value == routedValue, "\(name)")
            }
            // Both were counted by the limiter: the tenant's budget went down by one each time.
            let remaining = [routed, fast].compactMap { answer in
                answer.field("RateLimit")?.split(separator: "r=").last?.split(separator: ";").first.flatMap { Int($0) }
            }
            try #require(remaining.count == 2)
            #expect(remaining[1] == remaining[0] - 1, "\(remaining)")
            #expect(fast.field("Server") == "spool" && fast.field("Date") != nil)

            // Another tenant, an unknown key, no key: the router answers (404, 401, 401), never with the job.
            let (refused, _) = try await exchange(
                port: port,
                [
                    [Self.get("/v1/jobs/\(id)", key: globexKey)], [Self.get("/v1/jobs/\(id)", key: "spk_wrong")],
                    [Self.get("/v1/jobs/\(id)")],
                ])
            #expect(
                refused.map(\.statusLine) == [
                    "HTTP/1.1 404 Not Found", "HTTP/1.1 401 Unauthorized", "HTTP/1.1 401 Unauthorized",
                ])
            #expect(!refused.contains { $0.body.contains(#""input""#) })
            #expect(answers.given.load(ordering: .relaxed) == 1)

            // The admin sees every tenant's job, from the cache.
            let (admin, _) = try await exchange(port: port, [[Self.get("/v1/jobs/\(id)", key: Self.adminKey)]])
            #expect(admin.first?.body == routed.body)
            #expect(answers.given.load(ordering: .relaxed) == 2)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n")
        // Three reads answered 200 (one by the router, two on the event loop), all under the router's name for them.
        let answered = lines.first {
            $0.hasPrefix("hb_requests{") && $0.contains(#"http_route="/v1/jobs/{id}""#)
                && $0.contains(#"http_response_status_code="200""#)
        }
        #expect(answered?.split(separator: " ").last == "3", "\(answered ?? "none")")
        let active = lines.first { $0.hasPrefix("http_server_active_requests{") && $0.contains(#""GET""#) }
        #expect(active?.split(separator: " ").last == "0.0")
    }

    @Test func pipelinedAnswersLeaveInRequestOrder() async throws {
        try await withServer(authentication: .keyless) { port, answers, _ in
            let cached = try await submit(port, key: nil)
            let uncached = try await submit(port, key: nil)
            let (cachedRead, uncachedRead) = (Self.get("/v1/jobs/\(cached)"), Self.get("/v1/jobs/\(uncached)"))
            _ = try await exchange(port: port, [[cachedRead]])
            #expect(answers.given.load(ordering: .relaxed) == 0)
            // Three requests in one write: the router's read of the uncached job takes a hand-off to a task, and the
            // cached reads behind it must not overtake it, so they go the same way. Then, with nothing routed in
            // flight, the event loop answers the next read on that connection.
            let (read, _) = try await exchange(port: port, [[uncachedRead, cachedRead, cachedRead], [cachedRead]])
            try #require(read.count == 4)
            #expect(read[0].body.contains(uncached))
            #expect(read[1...].allSatisfy { $0.body.contains(cached) })
            #expect(answers.given.load(ordering: .relaxed) == 1)
        }
    }

    @Test func aCloseAndARefusalAreTheRoutersToAnswer() async throws {
        // A burst of five for the keyless tenant: the upload, the submission, a routed read, a read on the event loop
        // and a read asking to close; the sixth is refused.
        let rates = RateLimitSettings(tenantDefault: RateLimit(perSecond: 0.001, burst: 5))
        try await withServer(authentication: .keyless, rateLimits: rates) { port, answers, _ in
            let id = try await submit(port, key: nil)
            let read = Self.get("/v1/jobs/\(id)")
            let (answered, closed) = try await exchange(
                port: port, [[read], [read], [Self.get("/v1/jobs/\(id)", close: true)]], readingToClose: true)
            #expect(answered.map(\.statusLine) == Array(repeating: "HTTP/1.1 200 OK", count: 3))
            #expect(closed, "the router closes the connection after a request that asks it to")
            #expect(answers.given.load(ordering: .relaxed) == 1)
            let (refused, _) = try await exchange(port: port, [[read]])
            #expect(refused.first?.statusLine == "HTTP/1.1 429 Too Many Requests")
            #expect(answers.given.load(ordering: .relaxed) == 1)
        }
    }

    /// A shutdown that comes while a ready answer waits for the rest of its request (a body still on its way) does
    /// not close the connection under it: the answer is written, then the connection closes.
    @Test func aShutdownWaitsForTheReadyAnswerToBeWritten() async throws {
        try await withServer(authentication: .keyless) { port, answers, shutDown in
            let id = try await submit(port, key: nil)
            let read = Self.get("/v1/jobs/\(id)")
            _ = try await exchange(port: port, [[read]])
            try await connect(port: port).executeThenClose { inbound, outbound in
                try await outbound.write(
                    ByteBuffer(string: "GET /v1/jobs/\(id) HTTP/1.1\r\nHost: spool\r\nContent-Length: 4\r\n\r\n"))
                // The head has been read and answered (counted) before the shutdown starts.
                for _ in 0..<500 where answers.given.load(ordering: .relaxed) < 1 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(answers.given.load(ordering: .relaxed) == 1)
                await shutDown()
                try await Task.sleep(for: .milliseconds(200))
                try await outbound.write(ByteBuffer(string: "body"))
                var received = [UInt8]()
                for try await chunk in inbound { received += Array(chunk.readableBytesView) }
                let answer = try #require(Self.parse(received)?.0)
                #expect(answer.statusLine == "HTTP/1.1 200 OK" && answer.body.contains(id))
            }
        }
    }

    @Test func onlyAPlainJobPathIsReadOnTheEventLoop() {
        #expect(CachedJobAnswers.jobID(inPath: "/v1/jobs/job_0123abcd") == JobID(rawValue: "job_0123abcd"))
        for path in [
            "/v1/jobs", "/v1/jobs/", "/v1/jobs/job_1/placement", "/v1/jobs/job_1?x=1", "/v1/jobs/job%5F1",
            "/v1/jobs/JOB_1", "/v1/jobsx/job_1", "/v2/jobs/job_1", "/v1/jobs/" + String(repeating: "a", count: 65),
        ] {
            #expect(CachedJobAnswers.jobID(inPath: path) == nil, "\(path)")
        }
    }
}
