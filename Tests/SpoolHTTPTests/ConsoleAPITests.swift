import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import S3Client
import SpoolAPIModels
import SpoolCore
import SpoolInMemoryStore
import SpoolStorage
import Testing

@testable import SpoolHTTP

/// What the web console needs from the API: its page under a strict policy, who the browser is, CSRF protection for
/// cookie-signed writes and cross-site writes to a keyless server, the list filters and the live job list.
@Suite struct ConsoleAPITests {
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let origin = HTTPField.Name("Origin")!

    @Test func thePageAndItsFilesAreServedUnderAStrictPolicy() async throws {
        let fixture = try APITests.Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(String(buffer: page.body).contains("/console/app.js"))

            let script = try await client.execute(uri: "/console/app.js", method: .get)
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            let tag = try #require(script.headers[.eTag])
            let again = try await client.execute(uri: "/console/app.js", method: .get, headers: [.ifNoneMatch: tag])
            #expect(again.status == .notModified && again.body.readableBytes == 0)
            #expect(try await client.execute(uri: "/console/app.css", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/console/nothing.js", method: .get).status == .notFound)
            // Only the console's own files: nothing outside its folder.
            #expect(try await client.execute(uri: "/console/..%2FPackage.swift", method: .get).status == .notFound)
        }
    }

    @Test func downloadsRedirectedToABucketMayPlayInThePage() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-csp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        // Presigning is local arithmetic: nothing is sent to this (unreachable) endpoint.
        let bucket = S3ObjectStorage(
            client: S3Client(
                endpoint: URL(string: "http://198.18.0.7:8333"), pathStyle: true,
                credentials: S3Credentials(accessKeyID: "id", secretAccessKey: "secret")),
            bucket: "media")
        var configuration = APIConfiguration(
            layout: DataLayout(root: root.path), inputPolicy: InputPolicy(inputRoots: []), objects: bucket)
        configuration.redirectDownloads = true
        let app = Application(router: SpoolAPI(store: InMemoryJobStore(), configuration: configuration).router())
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("media-src 'self' http://198.18.0.7:8333 blob:"))
            #expect(policy.contains("img-src 'self' http://198.18.0.7:8333 data: blob:"))
            #expect(policy.contains("script-src 'self';") && policy.contains("connect-src 'self';"))
        }
    }

    @Test func aCookieSignedWriteNeedsTheSessionsCSRFToken() async throws {
        let fixture = try TenantAPITests.Fixture()
        defer { fixture.cleanUp() }
        let tests = TenantAPITests()
        try await fixture.app.test(.router) { client in
            let acme = try await tests.createTenant(client, #"{"id": "acme"}"#)
            let signIn = try await tests.call(client, .post, "/v1/sessions", key: acme.apiKey)
            #expect(signIn.status == .created)
            let signedIn = try APITests.decode(SessionView.self, signIn.body)
            #expect(signedIn.caller == .tenant && signedIn.tenant == acme.id && signedIn.authentication == .keys)
            let csrf = try #require(signedIn.csrfToken)
            let token = try #require(
                signIn.headers[.setCookie]?.split(separator: ";").first?.split(separator: "=").last.map(String.init))
            let cookie: HTTPFields = [.cookie: "spool_session=\(token)"]

            let current = try await client.execute(uri: "/v1/sessions/current", method: .get, headers: cookie)
            let view = try APITests.decode(SessionView.self, current.body)
            #expect(view.csrfToken == csrf && view.tenant == acme.id && view.expiresAt != nil)

            let body = ByteBuffer(string: #"{"input": "upload:upl_nothing", "preset": "web-360p"}"#)
            let forged = try await client.execute(uri: "/v1/jobs", method: .post, headers: cookie, body: body)
            #expect(forged.status == .forbidden && String(buffer: forged.body).contains("csrf"))
            var wrong = cookie
            wrong[CrossSiteWrites.tokenHeader] = String(repeating: "0", count: csrf.count)
            #expect(
                try await client.execute(uri: "/v1/jobs", method: .post, headers: wrong, body: body).status
                    == .forbidden)
            var echoed = cookie
            echoed[CrossSiteWrites.tokenHeader] = csrf
            // Past the guard: the submission itself is judged (this upload does not exist).
            let judged = try await client.execute(uri: "/v1/jobs", method: .post, headers: echoed, body: body)
            #expect(judged.status == .badRequest)
            // Reads need no token; a key needs none either.
            #expect(try await client.execute(uri: "/v1/jobs", method: .get, headers: cookie).status == .ok)
            #expect(
                try await tests.call(client, .post, "/v1/jobs", key: acme.apiKey, body: String(buffer: body)).status
                    == .badRequest)
            // Signing out is a write too.
            #expect(
                try await client.execute(uri: "/v1/sessions", method: .delete, headers: cookie).status == .forbidden)
            #expect(
                try await client.execute(uri: "/v1/sessions", method: .delete, headers: echoed).status == .noContent)
        }
    }

    @Test func aKeylessServerRefusesWritesFromOtherSites() async throws {
        let fixture = try APITests.Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let current = try await client.execute(uri: "/v1/sessions/current", method: .get)
            let view = try APITests.decode(SessionView.self, current.body)
            #expect(view.caller == .local && view.authentication == .keyless && view.csrfToken == nil)

            let body = ByteBuffer(string: #"{"input": "upload:upl_nothing", "preset": "web-360p"}"#)
            func submit(_ headers: HTTPFields) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/v1/jobs", method: .post, headers: headers, body: body).status
            }
            #expect(try await submit([Self.fetchSite: "cross-site"]) == .forbidden)
            #expect(try await submit([Self.fetchSite: "same-site"]) == .forbidden)
            #expect(try await submit([Self.origin: "http://evil.example"]) == .forbidden)
            #expect(try await submit([Self.origin: "null"]) == .forbidden)
            // The console itself, and clients that are not browsers, are judged on the submission.
            #expect(try await submit([Self.fetchSite: "same-origin"]) == .badRequest)
            #expect(try await submit([:]) == .badRequest)
            #expect(
                try await client.execute(
                    uri: "/v1/jobs", method: .get, headers: [Self.fetchSite: "cross-site"]
                ).status == .ok)
        }
    }

    @Test func theListFiltersByPoolAndTheAdminByTenant() async throws {
        let fixture = try TenantAPITests.Fixture()
        defer { fixture.cleanUp() }
        let tests = TenantAPITests()
        try await fixture.app.test(.router) { client in
            let acme = try await tests.createTenant(client, #"{"id": "acme"}"#)
            let globex = try await tests.createTenant(client, #"{"id": "globex"}"#)
            let outputs = Presets.named("web-360p")!.outputs
            for (tenant, pool) in [(acme.id, "gpu"), (acme.id, "cpu"), (globex.id, "gpu")] {
                _ = try await fixture.store.submit(
                    JobSpec(tenant: tenant, input: .upload(UploadID(rawValue: "upl_x")), outputs: outputs, pool: pool),
                    now: Date())
            }
            func listed(_ uri: String, key: String?) async throws -> [JobView] {
                let response = try await tests.call(client, .get, uri, key: key)
                #expect(response.status == .ok)
                return try APITests.decode(JobListView.self, response.body).jobs
            }
            #expect(try await listed("/v1/jobs", key: TenantAPITests.adminKey).count == 3)
            #expect(try await listed("/v1/jobs?pool=gpu", key: TenantAPITests.adminKey).count == 2)
            #expect(try await listed("/v1/jobs?tenant=acme", key: TenantAPITests.adminKey).count == 2)
            #expect(try await listed("/v1/jobs?tenant=acme&pool=gpu", key: TenantAPITests.adminKey).count == 1)
            #expect(try await listed("/v1/jobs?tenant=acme", key: acme.apiKey).count == 2)
            #expect(try await listed("/v1/jobs?pool=gpu", key: acme.apiKey).map(\.tenant) == [acme.id])
            #expect(try await tests.call(client, .get, "/v1/jobs?tenant=globex", key: acme.apiKey).status == .forbidden)
            #expect(try await tests.call(client, .get, "/v1/jobs?pool=", key: acme.apiKey).status == .badRequest)
        }
    }

    @Test func theLiveListStartsWithASnapshotOfTheCallersJobs() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-live-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = DataLayout(root: root.path)
        let store = InMemoryJobStore()
        var configuration = APIConfiguration(layout: layout, inputPolicy: InputPolicy(inputRoots: []))
        configuration.jobListPollInterval = .milliseconds(10)
        // A lifetime already over when the stream starts, as on a loaded machine: the snapshot must still be sent.
        configuration.jobListStreamLifetime = .zero
        let app = Application(router: SpoolAPI(store: store, configuration: configuration).router())
        let outputs = Presets.named("web-360p")!.outputs
        let (mine, _) = try await store.submit(
            JobSpec(input: .upload(UploadID(rawValue: "upl_x")), outputs: outputs, pool: "cpu"), now: Date())
        _ = try await store.submit(
            JobSpec(tenant: TenantID(rawValue: "other"), input: .upload(UploadID(rawValue: "upl_y")), outputs: outputs),
            now: Date())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/jobs/events?pool=cpu", method: .get)
            #expect(response.status == .ok && response.headers[.contentType] == "text/event-stream")
            let text = String(buffer: response.body)
            #expect(text.hasPrefix("retry: 2000\n\nevent: snapshot\ndata: "))
            let data = try #require(text.split(separator: "\n").first { $0.hasPrefix("data: ") }?.dropFirst(6))
            let snapshot = try APITests.decode(JobListView.self, ByteBuffer(string: String(data)))
            #expect(snapshot.jobs.map(\.id) == [mine.id])
            #expect(try await client.execute(uri: "/v1/jobs/events?state=nope", method: .get).status == .badRequest)
        }
    }

    @Test func theLiveListSendsOnlyWhatChanged() throws {
        let layout = DataLayout(root: "/data")
        let spec = JobSpec(input: .upload(UploadID(rawValue: "upl_x")), outputs: Presets.named("web-360p")!.outputs)
        let now = Date()
        let first = Job(id: JobID(rawValue: "job_a"), spec: spec, now: now)
        let second = Job(id: JobID(rawValue: "job_b"), spec: spec, now: now)
        var changes = JobListChanges()
        let views = [JobView(second, layout: layout), JobView(first, layout: layout)]
        #expect(changes.update(views) == .snapshot(views))
        #expect(changes.update(views) == .changed([]))
        var moved = first
        moved.progress = TranscodeProgress(fraction: 0.5, fps: 30)
        let third = Job(id: JobID(rawValue: "job_c"), spec: spec, now: now)
        let next = [JobView(third, layout: layout), JobView(second, layout: layout), JobView(moved, layout: layout)]
        #expect(changes.update(next) == .changed([next[0], next[2]]))
    }
}
