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

/// Requests that miss the job cache while the store is being read for that job wait for that one read.
@Suite struct JobCacheSharedReadTests {
    let job = Job(
        id: JobID(rawValue: "job_shared"),
        spec: JobSpec(
            tenant: TenantID(rawValue: "acme"), input: .upload(UploadID(rawValue: "upl_x")),
            outputs: Presets.named("web-360p")!.outputs),
        now: Date(timeIntervalSince1970: 1_800_000_000))
    let acme = Caller.tenant(
        Tenant(
            id: TenantID(rawValue: "acme"), keyHash: "a", keyHint: "-a", limits: TenantLimits(),
            createdAt: Date(timeIntervalSince1970: 0)))
    let other = Caller.tenant(
        Tenant(
            id: TenantID(rawValue: "other"), keyHash: "o", keyHint: "-o", limits: TenantLimits(),
            createdAt: Date(timeIntervalSince1970: 0)))

    @Test func concurrentMissesReadTheStoreOnce() async throws {
        let cache = JobReadCache(settings: JobCacheSettings(capacity: 100, policy: .lru, liveLifetime: .seconds(3600)))
        let reads = ReadGate()
        let view = JobView(job, layout: DataLayout(root: "/spool"))
        let tenant = job.spec.tenant
        let read: @Sendable () async throws -> (view: JobView, tenant: TenantID)? = {
            await reads.enterAndWait()
            return (view, tenant)
        }
        let id = job.id
        let (acme, other) = (acme, other)
        // The first miss starts the read, which waits at the gate; every later one arrives while it is out.
        let first = Task { try await cache.response(for: id, caller: acme, read: read) }
        await reads.waitUntilEntered()
        let later = (0..<40).map { index in
            Task { try await cache.response(for: id, caller: index % 4 == 0 ? other : acme, read: read) }
        }
        for _ in 0..<100 { await Task.yield() }
        await reads.open()
        #expect(try await first.value?.status == .ok)
        var answered = 0
        var hidden = 0
        for (index, request) in later.enumerated() {
            let response = try await request.value
            if index % 4 == 0 { hidden += response == nil ? 1 : 0 } else { answered += response?.status == .ok ? 1 : 0 }
        }
        #expect(await reads.entered == 1)
        #expect(answered == 30)
        // The shared read never shows the job to another tenant.
        #expect(hidden == 10)
    }

    @Test func aFailedReadFailsEveryoneWaitingAndTheNextMissReadsAgain() async throws {
        let cache = JobReadCache(settings: JobCacheSettings(capacity: 100, policy: .lru, liveLifetime: .seconds(3600)))
        let id = job.id
        let acme = acme
        await #expect(throws: StoreError.self) {
            _ = try await cache.response(for: id, caller: acme) { throw StoreError.unavailable("redis is away") }
        }
        let view = JobView(job, layout: DataLayout(root: "/spool"))
        let tenant = job.spec.tenant
        #expect(try await cache.response(for: id, caller: acme) { (view, tenant) }?.status == .ok)
        // A job that does not exist is nil for everyone, not an error.
        #expect(try await cache.response(for: JobID(rawValue: "job_none"), caller: acme) { nil } == nil)
    }
}

/// Holds reads until the test opens it, counting them.
actor ReadGate {
    private(set) var entered = 0
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var enteredWaiters: [CheckedContinuation<Void, Never>] = []

    func enterAndWait() async {
        entered += 1
        for waiter in enteredWaiters { waiter.resume() }
        enteredWaiters = []
        guard !isOpen else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func waitUntilEntered() async {
        guard entered == 0 else { return }
        await withCheckedContinuation { enteredWaiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
