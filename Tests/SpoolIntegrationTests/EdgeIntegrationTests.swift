import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import RESPClient
import SpoolClient
import SpoolCore
import SpoolRedis
import Synchronization
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// HAProxy and NGINX from deploy/ in front of two real gateways on one real redis-server, with TLS. Under a steady
/// load of submissions with idempotency keys, one gateway is killed -9 (and started again), then the other gets
/// SIGTERM: every key ends with exactly one job, and no client sees an error once HAProxy's health checks took the
/// gateway out. NGINX (passive checks only) is shown terminating TLS, retrying a refused connection on the other
/// gateway and caching output downloads.
@Suite(.serialized) struct EdgeIntegrationTests {
    enum Balancer: String, CaseIterable, Sendable { case haproxy, nginx }

    @Test func haproxyHidesAKilledAndADrainingGateway() async throws {
        let balancer = Balancer.haproxy
        let area = try TestArea("edge-\(balancer.rawValue)")
        defer { area.cleanUp() }
        let redis = try RedisServerProcess(directory: area.root.appendingPathComponent("redis"))
        defer { redis.stop() }
        try await redis.waitUntilReady()
        let input = area.inputs.appendingPathComponent("in.mp4")
        try Data("not decoded: the jobs only wait in the queue".utf8).write(to: input)

        let ports = [try FreePort.find(), try FreePort.find()]
        func startGateway(_ index: Int) async throws -> SpoolProcess {
            let gateway = try SpoolProcess(
                "gateway\(index + 1)-\(UUID().uuidString.prefix(4))",
                arguments: [
                    "gateway", "--redis", redis.url, "--data", area.data.path, "--port", "\(ports[index])",
                    "--input-root", area.inputs.path, "--drain-seconds", "3",
                ], logDirectory: area.root)
            try await gateway.waitForLog("spool gateway http://")
            return gateway
        }
        var gateways = [try await startGateway(0), try await startGateway(1)]
        defer { for gateway in gateways { gateway.kill9() } }

        let tls = area.root.appendingPathComponent("tls")
        _ = try await CLI.runTool(Self.deploy("tls/make-self-signed.sh"), [tls.path])
        let front = try await BalancerProcess.start(
            balancer, directory: area.root, tls: tls, gateways: ports.map { "127.0.0.1:\($0)" })
        defer { front.stop() }
        try await front.waitUntilServing()

        let load = try SubmissionLoad(
            server: front.url, input: "file://" + input.path, clients: 6,
            trusting: tls.appendingPathComponent("spool.crt").path)
        // Whatever throws below, the load ends, and its run shuts its HTTP client down.
        defer { load.stop() }
        let loadTask = Task { await load.run() }

        try await Task.sleep(for: .seconds(2))
        let killedAt = ContinuousClock.now
        gateways[0].kill9()
        try await Task.sleep(for: .seconds(2.5))
        gateways[0] = try await startGateway(0)
        // Back in rotation after two good health checks.
        try await Task.sleep(for: .seconds(2))
        let terminatedAt = ContinuousClock.now
        gateways[1].signal(SIGTERM)
        try await Task.sleep(for: .seconds(5))
        load.stop()
        let outcome = await loadTask.value

        #expect(outcome.succeeded > 50, "the load barely ran: \(outcome)")
        // The kill may fail the requests in flight at that moment; once the balancer noticed (two checks 500 ms apart,
        // given slack for a loaded machine), none.
        let late = outcome.errors.filter { $0.at > killedAt + .seconds(4) }
        #expect(late.isEmpty, "errors after the balancer took the gateways out: \(late.prefix(5))")
        let duringDrain = outcome.errors.filter { $0.at > terminatedAt }
        #expect(duringDrain.isEmpty, "errors while a gateway drained: \(duringDrain.prefix(5))")
        #expect(outcome.unfinishedKeys == 0)

        // Exactly one job per key, however often a key was retried.
        let client = RedisClient(
            configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port, mode: .standalone))
        let store = RedisJobStore(client: client, namespace: "spool", shards: 4)
        var perKey: [String: Int] = [:]
        var cursor: String?
        repeat {
            let page = try await store.list(JobFilter(limit: 200, cursor: cursor))
            for job in page.jobs { perKey[job.spec.idempotencyKey ?? "none", default: 0] += 1 }
            cursor = page.nextCursor
        } while cursor != nil
        await client.close()
        #expect(perKey.count == outcome.keys, "\(perKey.count) keys with jobs, \(outcome.keys) keys submitted")
        #expect(perKey.values.allSatisfy { $0 == 1 }, "\(perKey.filter { $0.value != 1 })")
        #expect(perKey["none"] == nil)
    }

    @Test func nginxTerminatesTLSRetriesRefusedConnectionsAndCachesOutputs() async throws {
        let area = try TestArea("edge-nginx")
        defer { area.cleanUp() }
        let redis = try RedisServerProcess(directory: area.root.appendingPathComponent("redis"))
        defer { redis.stop() }
        try await redis.waitUntilReady()
        let input = area.inputs.appendingPathComponent("in.mp4")
        try Data("queued only".utf8).write(to: input)
        let ports = [try FreePort.find(), try FreePort.find()]
        var gateways: [SpoolProcess] = []
        defer { for gateway in gateways { gateway.kill9() } }
        for (index, port) in ports.enumerated() {
            let gateway = try SpoolProcess(
                "gateway\(index + 1)",
                arguments: [
                    "gateway", "--redis", redis.url, "--data", area.data.path, "--port", "\(port)", "--input-root",
                    area.inputs.path,
                ], logDirectory: area.root)
            try await gateway.waitForLog("spool gateway http://")
            gateways.append(gateway)
        }
        let tls = area.root.appendingPathComponent("tls")
        _ = try await CLI.runTool(Self.deploy("tls/make-self-signed.sh"), [tls.path])
        let front = try await BalancerProcess.start(
            .nginx, directory: area.root, tls: tls, gateways: ports.map { "127.0.0.1:\($0)" })
        defer { front.stop() }
        try await front.waitUntilServing()
        let load = try SubmissionLoad(
            server: front.url, input: "file://" + input.path, clients: 1,
            trusting: tls.appendingPathComponent("spool.crt").path)
        defer { load.close() }

        #expect(try await load.submit(key: "before") == 202)
        gateways[0].kill9()
        // Refused connections go to the other gateway: every submission passes, none is doubled.
        for number in 0..<10 { #expect(try await load.submit(key: "after-\(number)") == 202) }
        #expect(try await load.submit(key: "after-0") == 202)

        // A published output through NGINX: the second download comes from its cache.
        let client = RedisClient(
            configuration: RedisConfiguration(host: "127.0.0.1", port: redis.port, mode: .standalone))
        let store = RedisJobStore(client: client, namespace: "spool", shards: 4)
        let jobs = try await store.list(JobFilter(limit: 50)).jobs
        #expect(jobs.count == 12 - 1, "one job per key: \(jobs.count)")
        let job = try await Self.publishFakeOutput(store: store, layout: DataLayout(root: area.data.path))
        await client.close()
        let path = "/v1/jobs/\(job.id.rawValue)/outputs/thumbs/thumb1.jpg"
        let first = try await load.get(path)
        let second = try await load.get(path)
        #expect(first.status == 200 && second.status == 200)
        #expect(first.cache == "MISS" && second.cache == "HIT", "\(first.cache) then \(second.cache)")
        #expect(second.etag == first.etag && first.etag != nil)
    }

    /// Succeeds a queued job by hand with a one-file output, as a worker would have.
    static func publishFakeOutput(store: RedisJobStore, layout: DataLayout) async throws -> Job {
        let worker = WorkerID(rawValue: "wrk_cpu_test")
        let job = try #require(
            try await store.claimNext(
                worker: worker, pool: "cpu", acceptsUnpinned: true, leaseDuration: .seconds(60), now: Date()))
        let lease = try #require(job.currentLease)
        let directory = layout.outputDirectory(job.id) + "/thumbs"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: directory + "/thumb1.jpg"))
        let output = OutputResult(
            name: "thumbs", kind: .thumbnails, path: "thumbs/thumb1.jpg", files: ["thumbs/thumb1.jpg"], codec: "mjpeg",
            width: 320, height: 180, durationSeconds: nil, sizeBytes: 1000, ssim: nil)
        return try await store.apply(.succeed(lease, outputs: [output]), to: job.id, now: Date()).job
    }

    static func deploy(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/\(path)").path
    }
}

/// HAProxy or NGINX with the repository's configuration, on a free port, stopped by PID.
final class BalancerProcess {
    let process: Process
    let port: Int
    let exited: DispatchSemaphore
    var url: URL { URL(string: "https://127.0.0.1:\(port)")! }

    private init(process: Process, port: Int, exited: DispatchSemaphore) {
        self.process = process
        self.port = port
        self.exited = exited
    }

    static func start(
        _ kind: EdgeIntegrationTests.Balancer, directory: URL, tls: URL, gateways: [String]
    ) async throws -> BalancerProcess {
        let port = try FreePort.find()
        let process = Process()
        let log = directory.appendingPathComponent("\(kind.rawValue).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        switch kind {
        case .haproxy:
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/haproxy")
            process.arguments = ["-db", "-f", EdgeIntegrationTests.deploy("haproxy/haproxy.cfg")]
            var environment = ProcessInfo.processInfo.environment
            environment["SPOOL_BIND"] = "127.0.0.1:\(port)"
            environment["SPOOL_TLS_PEM"] = tls.appendingPathComponent("spool.pem").path
            environment["SPOOL_GATEWAY_1"] = gateways[0]
            environment["SPOOL_GATEWAY_2"] = gateways[1]
            environment["SPOOL_CLIENT_RATE"] = "100000"
            process.environment = environment
        case .nginx:
            let prefix = directory.appendingPathComponent("nginx")
            let rendered = try await CLI.runTool(
                EdgeIntegrationTests.deploy("nginx/render.sh"),
                [
                    prefix.path, "127.0.0.1:\(port)", tls.appendingPathComponent("spool.crt").path,
                    tls.appendingPathComponent("spool.key").path, gateways[0], gateways[1], "10000",
                    "127.0.0.1:\(try FreePort.find())",
                ])
            let config = directory.appendingPathComponent("nginx.conf")
            try Data(rendered.utf8).write(to: config)
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
            process.arguments = ["-c", config.path, "-p", prefix.path, "-g", "daemon off;"]
        }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        return BalancerProcess(process: process, port: port, exited: exited)
    }

    func waitUntilServing() async throws {
        for _ in 0..<100 {
            if FreePort.isListening(port) { return }
            if !process.isRunning { throw TestFailure("the balancer exited with \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("the balancer did not listen on \(port)")
    }

    /// SIGTERM first (NGINX's master then stops its workers), SIGKILL to whatever is left, children included.
    func stop() {
        guard process.isRunning else { return }
        let master = process.processIdentifier
        let children = Self.children(of: master)
        kill(master, SIGTERM)
        if exited.wait(timeout: .now() + 2) == .timedOut { kill(master, SIGKILL) }
        process.waitUntilExit()
        for child in children { kill(child, SIGKILL) }
    }

    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent ? pid : nil
        }
    }

    deinit { stop() }
}

/// Clients that each submit one job after another over TLS (trusting the test's certificate), every one with a fresh
/// idempotency key, retrying a key until it is accepted; errors are recorded with the time they happened.
final class SubmissionLoad: Sendable {
    struct Failure: Sendable, CustomStringConvertible {
        var at: ContinuousClock.Instant
        var what: String
        var description: String { what }
    }

    struct Outcome: Sendable, CustomStringConvertible {
        var succeeded: Int
        var keys: Int
        var unfinishedKeys: Int
        var errors: [Failure]
        var description: String { "\(succeeded) accepted, \(keys) keys, \(errors.count) errors" }
    }

    let server: URL
    let input: String
    let clients: Int
    let http: HTTPClient
    private let stopped = Mutex(false)

    init(server: URL, input: String, clients: Int, trusting certificate: String) throws {
        self.server = server
        self.input = input
        self.clients = clients
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(certificate)
        http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                tlsConfiguration: tls, timeout: .init(connect: .seconds(2), read: .seconds(10))))
    }

    func stop() { stopped.withLock { $0 = true } }

    func close() { try? http.syncShutdown() }

    func submission(key: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: server.absoluteString + "/v1/jobs")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: key)
        request.body = .bytes(ByteBuffer(string: #"{"input": "\#(input)", "preset": "web-360p"}"#))
        return request
    }

    /// One submission; its status.
    func submit(key: String) async throws -> UInt {
        let response = try await http.execute(submission(key: key), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        return response.status.code
    }

    func get(_ path: String) async throws -> (status: UInt, cache: String?, etag: String?) {
        let response = try await http.execute(
            HTTPClientRequest(url: server.absoluteString + path), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return (
            response.status.code, response.headers.first(name: "X-Cache-Status"), response.headers.first(name: "ETag")
        )
    }

    func run() async -> Outcome {
        let total = await withTaskGroup(of: Outcome.self) { group in
            for client in 0..<clients {
                group.addTask { await self.runClient(client) }
            }
            var total = Outcome(succeeded: 0, keys: 0, unfinishedKeys: 0, errors: [])
            for await outcome in group {
                total.succeeded += outcome.succeeded
                total.keys += outcome.keys
                total.unfinishedKeys += outcome.unfinishedKeys
                total.errors += outcome.errors
            }
            return total
        }
        try? await http.shutdown()
        return total
    }

    func runClient(_ client: Int) async -> Outcome {
        var outcome = Outcome(succeeded: 0, keys: 0, unfinishedKeys: 0, errors: [])
        var number = 0
        while !stopped.withLock({ $0 }) {
            number += 1
            let key = "c\(client)-\(number)"
            outcome.keys += 1
            var accepted = false
            for _ in 0..<50 where !accepted {
                do {
                    let response = try await http.execute(submission(key: key), timeout: .seconds(10))
                    let body = try await response.body.collect(upTo: 1 << 16)
                    if response.status.code == 202 {
                        accepted = true
                    } else {
                        outcome.errors.append(
                            Failure(
                                at: .now,
                                what: "HTTP \(response.status.code) \(String(buffer: body).prefix(120))"))
                    }
                } catch {
                    outcome.errors.append(Failure(at: .now, what: "\(error)"))
                }
                if !accepted { try? await Task.sleep(for: .milliseconds(100)) }
            }
            if accepted { outcome.succeeded += 1 } else { outcome.unfinishedKeys += 1 }
        }
        return outcome
    }
}
