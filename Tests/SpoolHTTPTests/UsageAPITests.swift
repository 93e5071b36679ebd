import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpoolAPIModels
import SpoolCore
import SpoolInMemoryStore
import Testing

@testable import SpoolHTTP

/// A job's usage on `GET /v1/jobs/{id}` and a tenant's per day on `GET /v1/tenants/{id}/usage`, in key mode.
@Suite struct UsageAPITests {
    let tenants = TenantAPITests()

    /// A job of `tenant` that failed once on a priced GPU and then succeeded on an unpriced CPU.
    func finishedJob(of tenant: TenantID, in store: InMemoryJobStore) async throws -> Job {
        let spec = JobSpec(tenant: tenant, input: .file(path: "/in/a.mp4"), outputs: Presets.named("web-360p")!.outputs)
        let job = try await store.submit(spec, now: Date()).job
        let worker = WorkerID(rawValue: "wrk_cpu_a")
        func claim() async throws -> Lease {
            let claimed = try await store.claimNext(
                worker: worker, pool: "cpu", acceptsUnpinned: true, leaseDuration: .seconds(30),
                now: Date().addingTimeInterval(3600))
            return try #require(claimed?.currentLease)
        }
        let gpu = AttemptUsage(
            device: "gpu0 (NVIDIA L4)", gpuSeconds: 90, cpuSeconds: 0, cost: 0.02, energyJoules: 6300)
        _ = try await store.apply(
            .fail(try await claim(), JobError(code: .transcodeFailed, message: "exit 1"), usage: gpu), to: job.id,
            now: Date())
        let cpu = AttemptUsage(device: "cpu", gpuSeconds: 0, cpuSeconds: 40, cost: nil, energyJoules: nil)
        return try await store.apply(
            .succeed(try await claim(), outputs: [], usage: cpu), to: job.id, now: Date().addingTimeInterval(3600)
        ).job
    }

    @Test func aJobShowsWhatAllItsAttemptsCost() async throws {
        let fixture = try TenantAPITests.Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let acme = try await tenants.createTenant(client, #"{"id": "acme"}"#)
            let acmeKey: String = try #require(acme.apiKey)
            let job = try await finishedJob(of: acme.id, in: fixture.store)
            let response = try await tenants.call(client, .get, "/v1/jobs/\(job.id.rawValue)", key: acmeKey)
            #expect(response.status == .ok)
            let usage = try #require(try APITests.decode(JobView.self, response.body).usage)
            #expect(usage.attempts == 2 && usage.gpuSeconds == 90 && usage.cpuSeconds == 40)
            #expect(usage.cost == 0.02 && usage.unpricedAttempts == 1 && usage.currency == "USD")
            #expect(usage.energyJoules == 6300)
            #expect(usage.devices.map(\.device) == ["gpu0 (NVIDIA L4)", "cpu"])
        }
    }

    @Test func aTenantsUsageIsSummedPerDay() async throws {
        let fixture = try TenantAPITests.Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let acme = try await tenants.createTenant(client, #"{"id": "acme"}"#)
            let globex = try await tenants.createTenant(client, #"{"id": "globex"}"#)
            let acmeKey: String = try #require(acme.apiKey)
            let globexKey: String = try #require(globex.apiKey)
            let today = TenantUsage.day(of: Date())
            let yesterday = TenantUsage.day(of: Date().addingTimeInterval(-86_400))
            let priced = AttemptUsage(device: "gpu0 (L4)", gpuSeconds: 0, cpuSeconds: 0, cost: 0.5, energyJoules: 100)
            _ = try await fixture.store.addUsage(
                TenantUsage(gpuSeconds: 30) + TenantUsage(attempt: priced, finishedJob: true), tenant: acme.id,
                day: today)
            let unpriced = AttemptUsage(device: "cpu", gpuSeconds: 0, cpuSeconds: 12, cost: nil, energyJoules: nil)
            _ = try await fixture.store.addUsage(
                TenantUsage(attempt: unpriced, finishedJob: true), tenant: acme.id, day: yesterday)

            let response = try await tenants.call(client, .get, "/v1/tenants/acme/usage", key: acmeKey)
            #expect(response.status == .ok)
            let report = try APITests.decode(TenantUsageView.self, response.body)
            #expect(report.to == today && report.currency == "USD")
            #expect(report.days.map(\.date) == [yesterday, today])
            #expect(report.days.map(\.cost) == [nil, 0.5])
            #expect(report.total.jobs == 2 && report.total.gpuSeconds == 30 && report.total.cpuSeconds == 12)
            #expect(report.total.cost == 0.5 && report.total.energyJoules == 100)
            // Unknown figures are null, not left out, so every day has the same keys.
            #expect(String(buffer: response.body).contains(#""cost":null"#))

            let oneDay = try await tenants.call(
                client, .get, "/v1/tenants/acme/usage?from=\(today)&to=\(today)", key: Self.adminKey)
            #expect(try APITests.decode(TenantUsageView.self, oneDay.body).days.map(\.date) == [today])

            // Another tenant's usage is as missing as a tenant that does not exist.
            let nosy = try await tenants.call(client, .get, "/v1/tenants/acme/usage", key: globexKey)
            #expect(nosy.status == .notFound && !String(buffer: nosy.body).contains("0.5"))
            #expect(
                try await tenants.call(client, .get, "/v1/tenants/nobody/usage", key: Self.adminKey).status == .notFound
            )
        }
    }

    @Test(arguments: [
        ("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-12-02&to=2026-12-01", "from"),
        ("from=2024-01-01&to=2026-01-01", "from"),
    ])
    func aBadRangeIsRefusedNamingTheField(query: String, field: String) async throws {
        let fixture = try TenantAPITests.Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let response = try await tenants.call(
                client, .get, "/v1/tenants/default/usage?\(query)", key: Self.adminKey)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try APITests.decode(ProblemDetails.self, response.body).field == field)
        }
    }

    static let adminKey = TenantAPITests.adminKey
}
