import AsyncHTTPClient
import Foundation
import Logging
import SpoolCore
import SpoolInMemoryStore
import TestSupport
import Testing

@testable import SpoolWebhooks

/// The sender against the in-memory outbox and real sockets: what it does when the receiver cannot be reached, when
/// the address rules forbid the host, and how it signs (checked against Python's hmac, not against itself).
@Suite struct WebhookServiceTests {
    struct Fixture {
        let root: URL
        let store: InMemoryJobStore
        let layout: DataLayout

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-hooks-\(UUID().uuidString)")
            layout = DataLayout(root: root.path)
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            store = InMemoryJobStore()
        }

        /// A job that failed for good with `callback` as its callback URL, so its delivery is queued.
        func endedJob(callback: String) async throws -> JobID {
            let spec = JobSpec(
                input: .file(path: "/in/a.mp4"), outputs: Presets.named("web-360p")!.outputs, callbackURL: callback)
            let job = try await store.submit(spec, now: Date()).job
            try await store.apply(.cancel, to: job.id, now: Date())
            return job.id
        }

        func service(_ settings: WebhookSettings) -> WebhookService<ContinuousClock> {
            WebhookService(
                store: store, signer: WebhookSigner(masterSecret: "master"), layout: layout, settings: settings,
                clock: ContinuousClock(), logger: Logger(label: "test"), jitter: { 0 })
        }

        /// Takes whatever is queued, due or not, and tries it once.
        func tryOnce(_ service: WebhookService<ContinuousClock>, client: HTTPClient) async throws {
            let far = Date().addingTimeInterval(86_400 * 30)
            for delivery in try await store.claimDueWebhooks(now: far, limit: 10, lease: .seconds(60)) {
                await service.attempt(delivery, client: client)
            }
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }
    }

    @Test func signaturesMatchAnIndependentHMAC() {
        let signer = WebhookSigner(masterSecret: "master")
        // Both values computed with Python's hmac module.
        #expect(
            signer.secret(for: TenantID(rawValue: "acme"))
                == "whsec_9989596b889f976ec5668a36c909b6d0726a9a3eb86d3ff9a30779918eddf97e")
        #expect(
            WebhookSigner.signature(secret: "whsec_test", timestamp: 1_700_000_000, body: Array(#"{"a":1}"#.utf8))
                == "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789")
        #expect(signer.secret(for: TenantID(rawValue: "acme")) != signer.secret(for: TenantID(rawValue: "other")))
    }

    @Test func anOpenBreakerHoldsDeliveriesBackWithoutSpendingTries() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let closedPort = try FreePort.find()
        let job = try await fixture.endedJob(callback: "http://127.0.0.1:\(closedPort)/hook")
        let service = fixture.service(
            WebhookSettings(
                retry: WebhookRetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(1)), timeout: .seconds(1),
                breakerFailures: 2, breakerCoolDown: .seconds(3600), allowPrivateNetworks: true))
        let client = HTTPClient.shared

        try await fixture.tryOnce(service, client: client)
        try await fixture.tryOnce(service, client: client)
        let afterTwo = try #require(try await fixture.store.webhookDelivery(for: job))
        #expect(afterTwo.state == .pending)
        #expect(afterTwo.attempts == 2)
        #expect(afterTwo.lastError?.contains("could not deliver") == true)
        #expect(
            service.breakers.state(WebhookService<ContinuousClock>.hostKey("http://127.0.0.1:\(closedPort)/"))
                != .closed(consecutiveFailures: 0))

        try await fixture.tryOnce(service, client: client)
        let held = try #require(try await fixture.store.webhookDelivery(for: job))
        #expect(held.attempts == 2, "a try refused by the open breaker does not count")
        #expect(held.lastError?.contains("circuit open") == true)
        #expect((held.nextAttemptAt ?? .distantPast) > Date().addingTimeInterval(3000))
    }

    @Test func callbacksToInternalAddressesFailWithoutBeingSent() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let job = try await fixture.endedJob(callback: "http://127.0.0.1:9/hook")
        let service = fixture.service(WebhookSettings(allowPrivateNetworks: false))
        let client = HTTPClient.shared
        try await fixture.tryOnce(service, client: client)
        let delivery = try #require(try await fixture.store.webhookDelivery(for: job))
        #expect(delivery.state == .failed)
        #expect(delivery.attempts == 1)
        #expect(delivery.lastError?.contains("loopback, private or link-local") == true)
    }

    @Test func theMasterSecretIsMadeOnceAndShared() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let first = try WebhookMasterSecret.load(environment: [:], file: nil, dataDirectory: fixture.root.path)
        let second = try WebhookMasterSecret.load(environment: [:], file: nil, dataDirectory: fixture.root.path)
        #expect(first == second && first.count == 64)
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.root.path + "/webhook-secret")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(
            try WebhookMasterSecret.load(
                environment: ["SPOOL_WEBHOOK_SECRET": "from-env"], file: nil, dataDirectory: fixture.root.path)
                == "from-env")
        let empty = fixture.root.appendingPathComponent("empty")
        try Data().write(to: empty)
        #expect(throws: WebhookMasterSecret.LoadError.self) {
            try WebhookMasterSecret.load(environment: [:], file: empty.path, dataDirectory: fixture.root.path)
        }
    }
}
