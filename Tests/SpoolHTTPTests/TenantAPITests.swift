import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpoolAPIModels
import SpoolCore
import SpoolInMemoryStore
import Testing

@testable import SpoolHTTP

/// Keys, isolation, quotas and rate limits over the in-memory store, with the server in key mode.
@Suite struct TenantAPITests {
    static let adminKey = "admin-key-for-tests-0123456789"

    struct Fixture {
        let root: URL
        let layout: DataLayout
        let store: InMemoryJobStore
        let app: Application<RouterResponder<SpoolRequestContext>>

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-tenants-\(UUID().uuidString)")
            layout = DataLayout(root: root.appendingPathComponent("data").path)
            try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
            store = InMemoryJobStore()
            let api = SpoolAPI(
                store: store,
                configuration: APIConfiguration(
                    layout: layout, inputPolicy: InputPolicy(inputRoots: [root.path]),
                    authentication: .keys(adminKeyHash: APIKeys.hash(TenantAPITests.adminKey))))
            app = Application(router: api.router())
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }
    }

    func headers(_ key: String?) -> HTTPFields {
        var fields = HTTPFields()
        if let key { fields[.authorization] = "Bearer \(key)" }
        return fields
    }

    func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, key: String?,
        body: String? = nil
    ) async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: method, headers: headers(key), body: body.map { ByteBuffer(string: $0) })
    }

    func createTenant(_ client: some TestClientProtocol, _ body: String) async throws -> TenantView {
        let response = try await call(client, .post, "/v1/admin/tenants", key: Self.adminKey, body: body)
        #expect(response.status == .created)
        return try APITests.decode(TenantView.self, response.body)
    }

    @Test func keysAreRequiredAndTenantsSeeOnlyTheirOwn() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            #expect(try await call(client, .get, "/health", key: nil).status == .ok)
            let anonymous = try await call(client, .get, "/v1/jobs", key: nil)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == #"Bearer realm="spool""#)
            #expect(anonymous.headers[.contentType] == "application/problem+json")
            #expect(try await call(client, .get, "/v1/jobs", key: "spk_wrong").status == .unauthorized)

            let acme = try await createTenant(client, #"{"id": "acme"}"#)
            let globex = try await createTenant(client, #"{"id": "globex"}"#)
            let acmeKey = try #require(acme.apiKey)
            let globexKey = try #require(globex.apiKey)
            // Only the hash is stored: the key appears nowhere in the store's record.
            let stored = try #require(try await fixture.store.tenant(TenantID(rawValue: "acme")))
            #expect(stored.keyHash == APIKeys.hash(acmeKey) && stored.keyHint == String(acmeKey.suffix(4)))
            #expect(!String(decoding: try JSONEncoder().encode(stored), as: UTF8.self).contains(acmeKey))
            let listed = try await call(client, .get, "/v1/admin/tenants", key: Self.adminKey)
            #expect(!String(buffer: listed.body).contains(acmeKey))

            // A tenant may not use the admin API or manage pools.
            #expect(try await call(client, .get, "/v1/admin/tenants", key: acmeKey).status == .forbidden)
            let pool = try await call(
                client, .post, "/v1/pools", key: acmeKey, body: #"{"name": "p", "kind": "cpu", "max_workers": 1}"#)
            #expect(pool.status == .forbidden)

            let upload = try await call(client, .post, "/v1/uploads", key: acmeKey, body: "acme's bytes")
            #expect(upload.status == .created)
            let uploaded = try APITests.decode(UploadView.self, upload.body)
            #expect(FileManager.default.fileExists(atPath: fixture.layout.upload(uploaded.id, tenant: acme.id)))
            #expect(
                fixture.layout.upload(uploaded.id, tenant: acme.id).hasPrefix(fixture.layout.root + "/tenants/acme/"))

            let submitted = try await call(
                client, .post, "/v1/jobs", key: acmeKey, body: #"{"input": "\#(uploaded.uri)", "preset": "web-360p"}"#)
            #expect(submitted.status == .accepted)
            let job = try APITests.decode(JobView.self, submitted.body)

            // Globex cannot see, cancel, download or reuse anything of Acme's: 404, never Acme's data.
            for (method, path) in [
                (HTTPRequest.Method.get, "/v1/jobs/\(job.id.rawValue)"),
                (.delete, "/v1/jobs/\(job.id.rawValue)"),
                (.get, "/v1/jobs/\(job.id.rawValue)/placement"),
                (.get, "/v1/jobs/\(job.id.rawValue)/events"),
                (.get, "/v1/jobs/\(job.id.rawValue)/outputs/360p"),
            ] {
                let response = try await call(client, method, path, key: globexKey)
                #expect(response.status == .notFound, "\(method) \(path)")
                #expect(!String(buffer: response.body).contains("acme"))
            }
            let globexList = try await call(client, .get, "/v1/jobs", key: globexKey)
            #expect(try APITests.decode(JobListView.self, globexList.body).jobs.isEmpty)
            let stolen = try await call(
                client, .post, "/v1/jobs", key: globexKey, body: #"{"input": "\#(uploaded.uri)", "preset": "web-360p"}"#
            )
            #expect(stolen.status == .badRequest)

            // Acme sees its own; the admin sees everyone's.
            let acmeList = try await call(client, .get, "/v1/jobs", key: acmeKey)
            #expect(try APITests.decode(JobListView.self, acmeList.body).jobs.map(\.id) == [job.id])
            #expect(try await call(client, .get, "/v1/jobs/\(job.id.rawValue)", key: Self.adminKey).status == .ok)

            // A rotated key works at once; the old one is refused at once.
            let rotated = try APITests.decode(
                TenantView.self,
                try await call(client, .post, "/v1/admin/tenants/acme/rotate-key", key: Self.adminKey).body)
            #expect(try await call(client, .get, "/v1/jobs", key: acmeKey).status == .unauthorized)
            #expect(try await call(client, .get, "/v1/jobs", key: rotated.apiKey).status == .ok)
            #expect(try await call(client, .delete, "/v1/admin/tenants/acme", key: Self.adminKey).status == .noContent)
            #expect(try await call(client, .get, "/v1/jobs", key: rotated.apiKey).status == .unauthorized)
        }
    }

    @Test func aKeySignsABrowserInWithACookie() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let acme = try await createTenant(client, #"{"id": "acme"}"#)
            let signIn = try await call(client, .post, "/v1/sessions", key: acme.apiKey)
            #expect(signIn.status == .created)
            let setCookie = try #require(signIn.headers[.setCookie])
            #expect(
                setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Secure"))
            let token = try #require(setCookie.split(separator: ";").first?.split(separator: "=").last.map(String.init))
            // The cookie alone now authenticates, as the tenant.
            let cookie: HTTPFields = [.cookie: "other=1; spool_session=\(token)"]
            #expect(try await client.execute(uri: "/v1/jobs", method: .get, headers: cookie).status == .ok)
            #expect(
                try await client.execute(uri: "/v1/admin/tenants", method: .get, headers: cookie).status == .forbidden)
            // Signing out ends it everywhere: the store forgets it. It is a write, so it echoes the CSRF token.
            let csrf = try #require(try APITests.decode(SessionView.self, signIn.body).csrfToken)
            var signOutHeaders = cookie
            signOutHeaders[CrossSiteWrites.tokenHeader] = csrf
            let signOut = try await client.execute(uri: "/v1/sessions", method: .delete, headers: signOutHeaders)
            #expect(signOut.status == .noContent && signOut.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await client.execute(uri: "/v1/jobs", method: .get, headers: cookie).status == .unauthorized)
            #expect(
                try await client.execute(
                    uri: "/v1/jobs", method: .get, headers: [.cookie: "spool_session=forged"]
                ).status == .unauthorized)
        }
    }

    @Test func fileInputsStayUnderTheTenantsOwnRoot() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let acme = try await createTenant(client, #"{"id": "acme"}"#)
            let key = try #require(acme.apiKey)
            let files = fixture.layout.inputFiles(for: acme.id)
            try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: files + "/mine.mp4"))
            let outside = fixture.root.appendingPathComponent("server-input.mp4")
            try Data("y".utf8).write(to: outside)
            try FileManager.default.createSymbolicLink(atPath: files + "/link.mp4", withDestinationPath: outside.path)

            func submit(_ input: String) async throws -> TestResponse {
                try await call(
                    client, .post, "/v1/jobs", key: key, body: #"{"input": "\#(input)", "preset": "web-360p"}"#)
            }
            #expect(try await submit("file://\(files)/mine.mp4").status == .accepted)
            // The host's input roots are not the tenant's: the same server file a keyless caller could use.
            for input in [
                "file://\(outside.path)", "file://\(files)/../../../server-input.mp4", "file://\(files)/link.mp4",
                "file://\(files)/%2e%2e/%2e%2e/%2e%2e/server-input.mp4", "file:///etc/passwd", "mine.mp4",
            ] {
                let response = try await submit(input)
                #expect(response.status == .badRequest, "\(input)")
            }
        }
    }

    /// A job keeps what it asked for, else its tenant's window, else the server's; a window out of range is a 400
    /// naming the field, for a job and for a tenant.
    @Test func retentionComesFromTheJobTheTenantOrTheServer() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let brief = try await createTenant(client, #"{"id": "brief", "limits": {"retain_days": 7}}"#)
            let plain = try await createTenant(client, #"{"id": "plain"}"#)
            for tenant in [brief, plain] {
                let files = fixture.layout.inputFiles(for: tenant.id)
                try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
                try Data("x".utf8).write(to: URL(fileURLWithPath: files + "/in.mp4"))
            }
            func submit(_ tenant: TenantView, _ extra: String) async throws -> TestResponse {
                let input = "file://" + fixture.layout.inputFiles(for: tenant.id) + "/in.mp4"
                return try await call(
                    client, .post, "/v1/jobs", key: tenant.apiKey,
                    body: #"{"input": "\#(input)", "preset": "web-360p"\#(extra)}"#)
            }
            func retainDays(_ response: TestResponse) throws -> Double {
                #expect(response.status == .accepted)
                return try APITests.decode(JobView.self, response.body).retainDays
            }
            #expect(try retainDays(try await submit(brief, "")) == 7)
            #expect(try retainDays(try await submit(brief, #", "retain_days": 0.5"#)) == 0.5)
            #expect(try retainDays(try await submit(plain, "")) == 30)
            for bad in ["0", "-1", "3651"] {
                let refused = try await submit(plain, #", "retain_days": \#(bad)"#)
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(String(buffer: refused.body).contains("retain_days"))
            }
            let badTenant = try await call(
                client, .post, "/v1/admin/tenants", key: Self.adminKey,
                body: #"{"id": "eternal", "limits": {"retain_days": 100000}}"#)
            #expect(badTenant.status == .badRequest && String(buffer: badTenant.body).contains("retain_days"))
            // A job submitted before the tenant's window changed keeps the window it was submitted under.
            let before = try APITests.decode(JobView.self, try await submit(plain, "").body)
            let update = try await call(
                client, .patch, "/v1/admin/tenants/plain", key: Self.adminKey, body: #"{"retain_days": 2}"#)
            #expect(update.status == .ok, "\(String(buffer: update.body))")
            #expect(try retainDays(try await submit(plain, "")) == 2)
            #expect(try await fixture.store.job(before.id)?.spec.retention.days == 30)
        }
    }

    @Test func quotasAndRateLimitsAnswerWithProblems() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let small = try await createTenant(
                client, #"{"id": "small", "limits": {"max_queued": 2, "upload_bytes_per_day": 10}}"#)
            let key = try #require(small.apiKey)
            let upload = try await call(client, .post, "/v1/uploads", key: key, body: "0123456789")
            #expect(upload.status == .created)
            let uploaded = try APITests.decode(UploadView.self, upload.body)
            // The day's upload budget is spent: a hard limit, 403.
            let over = try await call(client, .post, "/v1/uploads", key: key, body: "more")
            #expect(over.status == .forbidden)
            let overProblem = try APITests.decode(ProblemDetails.self, over.body)
            #expect(overProblem.field == "upload_bytes_per_day" && overProblem.rule == "quota")

            let body = #"{"input": "\#(uploaded.uri)", "preset": "web-360p"}"#
            #expect(try await call(client, .post, "/v1/jobs", key: key, body: body).status == .accepted)
            #expect(try await call(client, .post, "/v1/jobs", key: key, body: body).status == .accepted)
            let third = try await call(client, .post, "/v1/jobs", key: key, body: body)
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter] != nil)
            #expect(try APITests.decode(ProblemDetails.self, third.body).field == "max_queued")

            // One request per 100 s: the second is refused with Retry-After and RateLimit headers.
            let slow = try await createTenant(client, #"{"id": "slow", "limits": {"requests_per_second": 0.01}}"#)
            let first = try await call(client, .get, "/v1/jobs", key: slow.apiKey)
            #expect(first.status == .ok)
            #expect(first.headers[HTTPField.Name("RateLimit")!] != nil)
            let limited = try await call(client, .get, "/v1/jobs", key: slow.apiKey)
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 50)
            #expect(limited.headers[HTTPField.Name("RateLimit")!]?.contains("r=0") == true)
            #expect(limited.headers[HTTPField.Name("RateLimit-Policy")!]?.hasPrefix(#""tenant";q=1"#) == true)
            // Other tenants are not slowed by it.
            #expect(try await call(client, .get, "/v1/jobs", key: key).status == .ok)
        }
    }

    /// Through a live server: concurrent submissions cannot pass the queued-jobs quota together (the store counts
    /// in the same write as the insert). No workers run, so every created job stays queued.
    // The router client, not HTTP: 40 requests at once through AsyncHTTPClient's 8 connections wait in its pool,
    // which gives up after 10 s on a loaded CI machine; the race this checks is in the store, which the router's
    // concurrent handlers reach the same way.
    @Test func concurrentSubmissionsStopAtTheQueuedQuota() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let tenant = try await createTenant(client, #"{"id": "busy", "limits": {"max_queued": 10}}"#)
            let key = try #require(tenant.apiKey)
            let upload = try await call(client, .post, "/v1/uploads", key: key, body: "0123456789")
            #expect(upload.status == .created)
            let uploaded = try APITests.decode(UploadView.self, upload.body)
            let body = #"{"input": "\#(uploaded.uri)", "preset": "web-360p"}"#

            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<40 {
                    group.addTask { try await call(client, .post, "/v1/jobs", key: key, body: body) }
                }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            let accepted = responses.filter { $0.status == .accepted }
            let refused = responses.filter { $0.status == .tooManyRequests }
            #expect(accepted.count == 10)
            #expect(refused.count == 30)
            for response in refused {
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.retryAfter] == "5")
                let problem = try APITests.decode(ProblemDetails.self, response.body)
                #expect(problem.status == 429 && problem.field == "max_queued" && problem.rule == "quota")
                #expect(problem.detail == "max_queued is 10; the tenant is at 10")
            }

            let listed = try await call(client, .get, "/v1/jobs?limit=500", key: key)
            #expect(listed.status == .ok)
            let jobs = try APITests.decode(JobListView.self, listed.body).jobs
            #expect(jobs.count == 10)
            #expect(Set(jobs.map(\.id)) == Set(try accepted.map { try APITests.decode(JobView.self, $0.body).id }))
            #expect(jobs.allSatisfy { $0.state == .queued })
        }
    }
}
