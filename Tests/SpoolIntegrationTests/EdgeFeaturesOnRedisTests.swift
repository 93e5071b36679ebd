import Foundation
import SpoolClient
import SpoolCore
import SpoolWebhooks
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Warming, deduplication, the shared probe cache and webhooks in a cluster: a gateway, a manager and one worker
/// as separate processes on a real redis-server, an HTTP origin and a webhook receiver on loopback.
@Suite(.serialized) struct EdgeFeaturesOnRedisTests {
    let area: TestArea

    init() throws { area = try TestArea("edge-redis") }

    @Test func aWaitingInputIsPrefetchedReusedAndAnnounced() async throws {
        defer { area.cleanUp() }
        let redis = try RedisServerProcess(directory: area.root.appendingPathComponent("redis"))
        try await redis.waitUntilReady()
        let common = ["--redis", redis.url, "--data", area.data.path]
        let origin = area.root.appendingPathComponent("origin")
        try FileManager.default.createDirectory(at: origin, withIntermediateDirectories: true)
        try await TestMedia.makeClip(at: origin.appendingPathComponent("remote.mp4"), seconds: 2)
        let server = try HTTPFileServer(directory: origin)
        defer { server.stop() }
        try await server.waitUntilServing()
        let receiver = try WebhookReceiver(directory: area.root, statuses: [200])
        defer { receiver.stop() }

        let port = try FreePort.find()
        let gateway = try SpoolProcess(
            "gateway",
            arguments: ["gateway"] + common + [
                "--port", "\(port)", "--input-root", area.inputs.path, "--allow-private-networks",
            ], logDirectory: area.root)
        try await gateway.waitForLog("spool gateway http://")
        let client = SpoolClient(server: URL(string: "http://127.0.0.1:\(port)")!, timeout: 10)
        let worker = try SpoolProcess(
            "worker",
            arguments: ["worker"] + common + [
                "--pool", "cpu", "--slots", "1", "--input-root", area.inputs.path, "--allow-private-networks",
                "--input-cache-dir", area.root.appendingPathComponent("cache").path,
            ], logDirectory: area.root)
        try await worker.waitForLog("spool worker wrk_")
        let manager = try SpoolProcess(
            "manager", arguments: ["manager"] + common + ["--allow-private-callbacks"], logDirectory: area.root)
        try await manager.waitForLog("leading")
        defer { withExtendedLifetime((gateway, worker, manager)) {} }

        // The only slot is busy with a longer job, so the remote one waits, and its input is fetched meanwhile.
        let long = area.inputs.appendingPathComponent("long.mp4")
        try await TestMedia.makeClip(at: long, size: "1280x720", seconds: 60, rate: 30)
        let busy = try await client.submit(
            JobRequest(input: "file://" + long.path, outputs: [try OutputShorthand.parse("o=mp4,height=720,crf=18")]))
        _ = try await client.waitFor(busy.id) { $0.state == .running }
        let remote = "http://127.0.0.1:\(server.port)/remote.mp4"
        let outputs = [try OutputShorthand.parse("small=mp4,height=144")]
        let waiting = try await client.submit(JobRequest(input: remote, outputs: outputs, callbackURL: receiver.url))
        try await worker.waitForLog("prefetched the input of a waiting job", timeout: .seconds(60))
        // Prefetched while the slot was busy; now free the slot.
        _ = try await client.cancel(busy.id)
        let first = try await client.waitFor(waiting.id, timeout: .seconds(120))
        #expect(first.state == .succeeded, "\(worker.log())")
        #expect(worker.log().contains("input from the local cache"))
        #expect(!first.deduplicated)

        // Its end was announced through the manager's sender, signed with the secret every process shares.
        let request = try #require(try await receiver.waitForRequests(1).first)
        let (_, body, _) = try await client.get("/v1/webhooks/secret")
        let secret = try #require(
            (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["secret"] as? String)
        let signature = try #require(request.header("Spool-Signature"))
        let timestamp = try #require(Int(signature.split(separator: ",")[0].dropFirst(2)))
        #expect(
            signature.hasSuffix(
                "v1=" + WebhookSigner.signature(secret: secret, timestamp: timestamp, body: Array(request.body.utf8))))

        // The same URL and outputs again: the bytes are the same, so the outputs are reused.
        let again = try await client.waitFor(
            try await client.submit(JobRequest(input: remote, outputs: outputs)).id, timeout: .seconds(120))
        #expect(again.state == .succeeded)
        #expect(again.deduplicatedFrom == first.id)
        // ffprobe's answer for those bytes is in Redis for every worker.
        #expect(try await redis.cli(["--scan", "--pattern", "*cache:probe:*"]).contains("probe:"))
    }
}
