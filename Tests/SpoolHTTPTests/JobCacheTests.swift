import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpoolAPIModels
import SpoolCore
import SpoolInMemoryStore
import Testing

@testable import SpoolHTTP

/// The job cache behind GET /v1/jobs/{id}: answers from memory while fresh, drops an entry when the job changes
/// through this gateway, and never shows a cached job to another tenant. The lifetime is an hour here, so nothing
/// depends on how fast the machine is.
@Suite struct JobCacheTests {
    @Test func cachedAnswersAreDroppedOnChangeAndKeptFromOtherTenants() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = DataLayout(root: root.path)
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        let store = InMemoryJobStore()
        let admin = "admin-key-for-cache-tests-000"
        let api = SpoolAPI(
            store: store,
            configuration: APIConfiguration(
                layout: layout, inputPolicy: InputPolicy(), authentication: .keys(adminKeyHash: APIKeys.hash(admin)),
                jobCache: JobCacheSettings(capacity: 100, policy: .lru, liveLifetime: .seconds(3600))))
        let app = Application(router: api.router())
        let tenant = Tenant(
            id: TenantID(rawValue: "acme"), keyHash: APIKeys.hash("acme-key"), keyHint: "-key", limits: TenantLimits(),
            createdAt: Date())
        try await store.createTenant(tenant)
        try await store.createTenant(
            Tenant(
                id: TenantID(rawValue: "other"), keyHash: APIKeys.hash("other-key"), keyHint: "-key",
                limits: TenantLimits(), createdAt: Date()))
        let job = try await store.submit(
            JobSpec(
                tenant: tenant.id, input: .upload(UploadID(rawValue: "upl_x")),
                outputs: Presets.named("web-360p")!.outputs),
            now: Date()
        ).job

        try await app.test(.router) { client in
            func get(_ key: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/v1/jobs/\(job.id.rawValue)", method: .get, headers: [.authorization: "Bearer \(key)"])
            }
            func state(_ response: TestResponse) throws -> JobState {
                try APITests.decode(JobView.self, response.body).state
            }
            #expect(try state(try await get("acme-key")) == .queued)
            // Changed behind the gateway's back: the cached answer stands until its lifetime ends.
            _ = try await store.apply(.cancel, to: job.id, now: Date())
            #expect(try state(try await get("acme-key")) == .queued)
            // The cache never answers for another tenant.
            #expect(try await get("other-key").status == .notFound)
            // A change through the gateway drops the entry at once.
            _ = try await store.apply(.retry, to: job.id, now: Date())
            let retried = try await client.execute(
                uri: "/v1/jobs/\(job.id.rawValue)", method: .delete, headers: [.authorization: "Bearer acme-key"])
            #expect(retried.status == .accepted)
            #expect(try state(try await get("acme-key")) == .cancelled)
            #expect(try state(try await get(admin)) == .cancelled)
        }
    }
}
