import Foundation
import SpoolClient
import SpoolCore
import SpoolWebhooks
import TestSupport
import Testing

/// A real `spool serve`, real ffmpeg and a real receiver process: signed webhook deliveries with a retry, and a
/// second job on the same bytes that reuses the first one's outputs instead of transcoding.
@Suite(.serialized) struct WebhookAndDeduplicationTests {
    let area: TestArea

    init() throws { area = try TestArea("hooks") }

    struct SecretView: Decodable {
        var tenant: String
        var secret: String
    }

    @Test func signedDeliveriesAreRetriedAndTheSameBytesAreNotTranscodedTwice() async throws {
        defer { area.cleanUp() }
        let receiver = try WebhookReceiver(directory: area.root, statuses: [503, 200])
        defer { receiver.stop() }
        let secretFile = area.root.appendingPathComponent("webhook.secret")
        try "integration-test-master-secret\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: ["--allow-private-networks", "--webhook-secret-file", secretFile.path])
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 2)
        let outputs = [try OutputShorthand.parse("small=mp4,height=180,codec=h264")]

        let first = try await client.submit(
            JobRequest(input: "file://" + clip.path, outputs: outputs, callbackURL: receiver.url))
        #expect(first.callbackURL == receiver.url)
        let done = try await client.waitFor(first.id)
        #expect(done.state == .succeeded, "\(done.error?.message ?? "")\n\(server.log())")
        #expect(!done.deduplicated)

        // The first try gets a 503, the retry a 200: two requests, one delivery ID, both signed.
        let requests = try await receiver.waitForRequests(2)
        #expect(requests.map(\.status) == [503, 200])
        #expect(Set(requests.compactMap { $0.header("Spool-Delivery") }).count == 1)
        #expect(requests.allSatisfy { $0.header("Spool-Event") == "job.succeeded" })
        let (status, body, _) = try await client.get("/v1/webhooks/secret")
        #expect(status == 200)
        let secret = try JSONDecoder().decode(SecretView.self, from: body).secret
        for request in requests {
            let header = try #require(request.header("Spool-Signature"))
            let parts = Dictionary(
                uniqueKeysWithValues: header.split(separator: ",").map {
                    let pair = $0.split(separator: "=", maxSplits: 1)
                    return (String(pair[0]), String(pair[1]))
                })
            let timestamp = try #require(parts["t"].flatMap { Int($0) })
            #expect(
                parts["v1"]
                    == WebhookSigner.signature(secret: secret, timestamp: timestamp, body: Array(request.body.utf8)))
            // A body changed on the way no longer matches.
            #expect(
                parts["v1"]
                    != WebhookSigner.signature(
                        secret: secret, timestamp: timestamp, body: Array((request.body + " ").utf8)))
            let payload = try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any]
            #expect((payload?["job"] as? [String: Any])?["id"] as? String == first.id.rawValue)
        }
        let delivery = try await waitForDelivery(client, first.id)
        #expect(delivery.state == .delivered)
        #expect(delivery.attempts == 2)
        #expect(delivery.lastStatus == 200)
        // The same through the CLI.
        let shown = try await CLI.run([
            "webhooks", "show", first.id.rawValue, "--server", server.url.absoluteString,
        ])
        #expect(
            shown.status == 0 && shown.stdout.hasPrefix("delivered after 2 tries, last answer HTTP 200"), "\(shown)")
        let printed = try await CLI.run(["webhooks", "secret", "--server", server.url.absoluteString])
        #expect(printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == secret)
        #expect(printed.stderr.contains("HMAC-SHA256"))

        // Same bytes under another name, same outputs: reused, not transcoded.
        let copy = area.inputs.appendingPathComponent("copy.mp4")
        try FileManager.default.copyItem(at: clip, to: copy)
        let second = try await client.waitFor(
            try await client.submit(JobRequest(input: "file://" + copy.path, outputs: outputs)).id)
        #expect(second.state == .succeeded, "\(second.error?.message ?? "")\n\(server.log())")
        #expect(second.deduplicated)
        #expect(second.deduplicatedFrom == first.id)
        #expect(second.outputs.map(\.sizeBytes) == done.outputs.map(\.sizeBytes))
        let download = try await client.get(try #require(second.outputs.first).url)
        #expect(download.status == 200)
        #expect(Int64(download.body.count) == done.outputs.first?.sizeBytes)
        #expect(server.log().contains("reusing its outputs"))

        // Other outputs from the same bytes are a new transcode.
        let taller = try await client.waitFor(
            try await client.submit(
                JobRequest(input: "file://" + copy.path, outputs: [try OutputShorthand.parse("small=mp4,height=144")])
            ).id)
        #expect(taller.state == .succeeded)
        #expect(!taller.deduplicated)
    }

    /// The outbox is in the store: a delivery that could not be made before a kill -9 is made after the restart.
    @Test func aPendingDeliverySurvivesACrash() async throws {
        defer { area.cleanUp() }
        let receiverPort = try FreePort.find()
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs, extraArguments: ["--allow-private-networks"])
        defer { server.stop() }
        try await server.start()
        try Data("not a video".utf8).write(to: area.inputs.appendingPathComponent("x.mp4"))
        let job = try await server.client.submit(
            JobRequest(
                input: "file://" + area.inputs.appendingPathComponent("x.mp4").path, preset: "web-360p",
                callbackURL: WebhookReceiver.url(port: receiverPort)))
        let ended = try await server.client.waitFor(job.id)
        #expect(ended.state == .failed)
        // Nobody listens yet: the first try fails and the delivery waits for its retry.
        var pending: WebhookDelivery?
        for _ in 0..<300 where pending == nil {
            let (status, body, _) = try await server.client.get("/v1/jobs/\(job.id.rawValue)/webhook")
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            if status == 200, let delivery = try? decoder.decode(WebhookDelivery.self, from: body),
                delivery.attempts >= 1
            {
                pending = delivery
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(pending?.state == .pending, "\(server.log())")
        server.crash()

        let receiver = try WebhookReceiver(directory: area.root, statuses: [200], fixedPort: receiverPort)
        defer { receiver.stop() }
        try await server.start()
        let requests = try await receiver.waitForRequests(1)
        #expect(requests.first?.header("Spool-Event") == "job.failed")
        let delivery = try await waitForDelivery(server.client, job.id)
        #expect(delivery.state == .delivered)
        #expect(delivery.attempts >= 2)
    }

    func waitForDelivery(_ client: SpoolClient, _ id: JobID) async throws -> WebhookDelivery {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for _ in 0..<300 {
            let (status, body, _) = try await client.get("/v1/jobs/\(id.rawValue)/webhook")
            if status == 200, let delivery = try? decoder.decode(WebhookDelivery.self, from: body),
                delivery.state != .pending
            {
                return delivery
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("the delivery of \(id) did not settle")
    }
}
