import Foundation
import Hummingbird
import HummingbirdTesting
import SpoolAPIModels
import SpoolInMemoryStore
import Testing

@testable import SpoolCore
@testable import SpoolHTTP

/// The HTTP API over the in-memory store, in process. Transcoding is covered by the media and integration tests.
@Suite struct APITests {
    struct Fixture {
        let root: URL
        let inputs: URL
        let layout: DataLayout
        let store: InMemoryJobStore
        let app: Application<RouterResponder<SpoolRequestContext>>

        init(
            maxUploadBytes: Int64 = 1 << 20, storageBreaker: StorageBreakerSettings = StorageBreakerSettings(),
            builtInPools: Set<String> = []
        ) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-api-\(UUID().uuidString)")
            inputs = root.appendingPathComponent("in")
            try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
            layout = DataLayout(root: root.appendingPathComponent("data").path)
            try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
            store = InMemoryJobStore()
            let policy = InputPolicy(inputRoots: [inputs.path], maxUploadBytes: maxUploadBytes)
            var configuration = APIConfiguration(
                layout: layout, inputPolicy: policy, eventPollInterval: .milliseconds(20),
                storageBreaker: storageBreaker)
            configuration.builtInPools = builtInPools
            app = Application(router: SpoolAPI(store: store, configuration: configuration).router())
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }
    }

    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }

    @Test func uploadSubmitGetListAndCancel() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let upload = try await client.execute(
                uri: "/v1/uploads", method: .post, body: ByteBuffer(string: "not really a video"))
            #expect(upload.status == .created)
            let uploaded = try Self.decode(UploadView.self, upload.body)
            #expect(uploaded.sizeBytes == 18)
            #expect(FileManager.default.fileExists(atPath: fixture.layout.upload(uploaded.id)))

            let body =
                #"{"input": "\#(uploaded.uri)", "preset": "web-360p", "priority": 70, "idempotency_key": "k1", "metadata": {"a": "b"}}"#
            let submitted = try await client.execute(uri: "/v1/jobs", method: .post, body: Self.json(body))
            #expect(submitted.status == .accepted)
            let job = try Self.decode(JobView.self, submitted.body)
            #expect(job.state == .queued)
            #expect(job.priority == 70)
            #expect(job.tenant == .default)
            #expect(job.metadata == ["a": "b"])
            #expect(submitted.headers[.location] == "/v1/jobs/\(job.id.rawValue)")

            let replay = try await client.execute(uri: "/v1/jobs", method: .post, body: Self.json(body))
            #expect(replay.status == .accepted)
            #expect(try Self.decode(JobView.self, replay.body).id == job.id)
            // The same key with another body is not a retry: 422, and no second job. (Only the priority changes: a
            // bare "70" also matched inside the random upload ID about once in eighty runs.)
            let reused = try await client.execute(
                uri: "/v1/jobs", method: .post,
                body: Self.json(body.replacingOccurrences(of: #""priority": 70"#, with: #""priority": 71"#)))
            #expect(reused.status == .unprocessableContent)
            let reusedProblem = try Self.decode(ProblemDetails.self, reused.body)
            #expect(reusedProblem.field == "idempotency_key" && reusedProblem.rule == "idempotency_key_reused")
            #expect(reusedProblem.detail.contains(job.id.rawValue))

            let fetched = try await client.execute(uri: "/v1/jobs/\(job.id.rawValue)", method: .get)
            #expect(try Self.decode(JobView.self, fetched.body).requestedOutputs == Presets.named("web-360p")!.outputs)

            let listed = try await client.execute(uri: "/v1/jobs?state=queued&limit=10", method: .get)
            #expect(try Self.decode(JobListView.self, listed.body).jobs.map(\.id) == [job.id])
            let none = try await client.execute(uri: "/v1/jobs?state=running", method: .get)
            #expect(try Self.decode(JobListView.self, none.body).jobs.isEmpty)
            // What the document allows is served, what it does not is refused (found by schemathesis): an empty cursor
            // is the first page; a limit is one whole number in its range.
            let emptyCursor = try await client.execute(uri: "/v1/jobs?cursor=", method: .get)
            #expect(try Self.decode(JobListView.self, emptyCursor.body).jobs.map(\.id) == [job.id])
            for query in [
                "limit=%C3%9C", "limit=1.26e-105", "limit=1&limit=2", "limit=0", "limit=501", "cursor=a&cursor=b",
            ] {
                for path in ["/v1/jobs", "/v1/dead-letters", "/v1/autoscaler/decisions"]
                where !(path == "/v1/autoscaler/decisions" && (query == "limit=501" || query.hasPrefix("cursor"))) {
                    let refused = try await client.execute(uri: "\(path)?\(query)", method: .get)
                    #expect(refused.status == .badRequest, "\(path)?\(query)")
                    #expect(
                        try Self.decode(ProblemDetails.self, refused.body).field
                            == (query.hasPrefix("cursor") ? "cursor" : "limit"))
                }
            }

            let cancelled = try await client.execute(uri: "/v1/jobs/\(job.id.rawValue)", method: .delete)
            #expect(cancelled.status == .accepted)
            #expect(try Self.decode(JobView.self, cancelled.body).state == .cancelled)
            let again = try await client.execute(uri: "/v1/jobs/\(job.id.rawValue)", method: .delete)
            #expect(again.status == .conflict)
            #expect(again.headers[.contentType] == "application/problem+json")
        }
    }

    @Test(arguments: [
        (#"{"input": "file:///etc/passwd", "preset": "web-360p"}"#, "input", "input_root"),
        (#"{"input": "file:///IN/../../etc/passwd", "preset": "web-360p"}"#, "input", "path_traversal"),
        (#"{"input": "file:///IN/missing.mp4", "preset": "web-360p"}"#, "input", "input_missing"),
        (#"{"input": "file:///IN/escape.mp4", "preset": "web-360p"}"#, "input", "input_root"),
        (#"{"input": "http://127.0.0.1:9/a.mp4", "preset": "web-360p"}"#, "input", "private_address"),
        (#"{"input": "upload:upl_0123456789abcdef", "preset": "web-360p"}"#, "input", "upload_missing"),
        (
            #"{"input": "file:///IN/ok.mp4", "preset": "web-360p", "callback_url": "http://10.1.2.3/hook"}"#,
            "callback_url", "private_address"
        ),
        (
            #"{"input": "file:///IN/ok.mp4", "preset": "web-360p", "callback_url": "ftp://hooks.example.com/"}"#,
            "callback_url", "uri"
        ),
        (#"{"input": "upload:upl_x", "preset": "nope"}"#, "preset", "unknown_preset"),
        (
            #"{"input": "upload:upl_x", "outputs": [{"name": "a", "kind": "mp4", "video": {"height": 99}}]}"#,
            "outputs[0].video.height", "dimension"
        ),
        (#"{"input": "upload:upl_x", "outputs": [{"name": "a", "kind": "gif"}]}"#, "outputs[0].kind", "invalid"),
        (#"{"input": 5}"#, "input", "type"),
        (#"not json"#, "body", "invalid"),
        (#"{"input": "file://localhost/IN/ok.mp4", "preset": "web-360p"}"#, "input", "file_host"),
        (
            #"{"input": "file:///IN/ok.mp4", "preset": "web-360p", "priority": 99999999999999999999}"#, "priority",
            "range"
        ),
        (#"{"input": "file:///IN/ok.mp4", "preset": "web-360p", "priority": 101}"#, "priority", "range"),
    ])
    func badSubmissionsAreProblems(body: String, field: String, rule: String) async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        // A symlink inside the input root that points outside it.
        try FileManager.default.createSymbolicLink(
            atPath: fixture.inputs.appendingPathComponent("escape.mp4").path, withDestinationPath: "/etc/hostname")
        try Data("a video".utf8).write(to: fixture.inputs.appendingPathComponent("ok.mp4"))
        let request = body.replacingOccurrences(of: "/IN/", with: fixture.inputs.path + "/")
        try await fixture.app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/jobs", method: .post, body: Self.json(request))
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try Self.decode(ProblemDetails.self, response.body)
            #expect(problem.status == 400)
            #expect(problem.field == field)
            #expect(problem.rule == rule)
            #expect(!problem.detail.isEmpty)
        }
        #expect(try await fixture.store.countByState().values.reduce(0, +) == 0)
    }

    @Test func unknownJobsAndRoutesAreProblems() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            for uri in ["/v1/jobs/job_nope", "/v1/nothing-here", "/v1/jobs/job_nope/outputs/x"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(uri)")
            }
            let badState = try await client.execute(uri: "/v1/jobs?state=weird", method: .get)
            #expect(badState.status == .badRequest)
            #expect(try Self.decode(ProblemDetails.self, badState.body).field == "state")
        }
    }

    @Test func placementExplanationsAreServedAsStoredOrExplainedMissing() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let job = try await fixture.store.submit(
            JobSpec(input: .file(path: fixture.inputs.path + "/a.mp4"), outputs: Presets.named("web-360p")!.outputs),
            now: Date()
        ).job
        try await fixture.app.test(.router) { client in
            let missing = try await client.execute(uri: "/v1/jobs/\(job.id)/placement", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
            #expect(try Self.decode(ProblemDetails.self, missing.body).detail.contains("no placement decision"))
            let stored = #"{"job":"\#(job.id)","outcome":"waiting","waiting_reason":"no live workers"}"#
            try await fixture.store.savePlacementExplanation(stored, for: job.id)
            let found = try await client.execute(uri: "/v1/jobs/\(job.id)/placement", method: .get)
            #expect(found.status == .ok)
            #expect(found.headers[.contentType] == "application/json")
            #expect(String(buffer: found.body) == stored)
            let unknown = try await client.execute(uri: "/v1/jobs/job_nope/placement", method: .get)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func oversizedUploadsAreRefusedAndLeaveNoFile() async throws {
        let fixture = try Fixture(maxUploadBytes: 1000)
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/uploads", method: .post, body: ByteBuffer(repeating: 7, count: 5000))
            #expect(response.status == .contentTooLarge)
            let empty = try await client.execute(uri: "/v1/uploads", method: .post, body: ByteBuffer())
            #expect(empty.status == .badRequest)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.layout.uploads).isEmpty)
    }

    @Test func systemEndpoints() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
            let spec = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(String(buffer: spec.body).hasPrefix("openapi: 3.1.0"))
            let presets = try await client.execute(uri: "/v1/presets", method: .get)
            #expect(String(buffer: presets.body).contains("hls-ladder"))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(try await client.execute(uri: "/v1/pools", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v1/workers", method: .get).status == .ok)
        }
    }

    /// Outputs are served only by the names the job's record lists, with cache headers and byte ranges.
    @Test func outputsDownloadWithRangesAndRefuseTraversal() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let spec = JobSpec(input: .upload(UploadID(rawValue: "upl_x")), outputs: Presets.named("hls-ladder")!.outputs)
        let (job, _) = try await fixture.store.submit(spec, now: Date())
        let worker = WorkerID(rawValue: "wrk_test")
        _ = try await fixture.store.claimNext(
            worker: worker, pool: "cpu", acceptsUnpinned: true, leaseDuration: .seconds(30), now: Date())
        let directory = fixture.layout.outputDirectory(job.id)
        try FileManager.default.createDirectory(atPath: directory + "/hls/720p", withIntermediateDirectories: true)
        try "#EXTM3U\n".write(toFile: directory + "/hls/master.m3u8", atomically: true, encoding: .utf8)
        try "0123456789".write(toFile: directory + "/hls/720p/seg0.ts", atomically: true, encoding: .utf8)
        let output = OutputResult(
            name: "hls", kind: .hls, path: "hls/master.m3u8", files: ["hls/master.m3u8", "hls/720p/seg0.ts"],
            codec: "h264", width: 1280, height: 720, durationSeconds: 3, sizeBytes: 18, ssim: 0.97)
        try await fixture.store.apply(
            .succeed(Lease(job: job.id, worker: worker, attempt: 1), outputs: [output]), to: job.id, now: Date())

        try await fixture.app.test(.router) { client in
            let master = try await client.execute(uri: "/v1/jobs/\(job.id.rawValue)/outputs/hls", method: .get)
            #expect(master.status == .ok)
            #expect(String(buffer: master.body) == "#EXTM3U\n")
            #expect(master.headers[.contentType] == "application/vnd.apple.mpegurl")
            #expect(master.headers[.cacheControl]?.contains("immutable") == true)

            let segment = try await client.execute(
                uri: "/v1/jobs/\(job.id.rawValue)/outputs/hls/720p/seg0.ts", method: .get,
                headers: [.range: "bytes=2-5"])
            #expect(segment.status == .partialContent)
            #expect(String(buffer: segment.body) == "2345")
            #expect(segment.headers[.contentRange] == "bytes 2-5/10")
            // A stable ETag (the same from any gateway) and revalidation without a body.
            let etag = try #require(segment.headers[.eTag])
            #expect(etag == "\"\(job.id.rawValue)-\(SpoolAPI.stableHash("hls/720p/seg0.ts"))-10\"")
            let revalidated = try await client.execute(
                uri: "/v1/jobs/\(job.id.rawValue)/outputs/hls/720p/seg0.ts", method: .get,
                headers: [.ifNoneMatch: etag])
            #expect(revalidated.status == .notModified && revalidated.body.readableBytes == 0)
            // If-Range: the part only while the representation is the one the client has; else the whole body.
            let seg0 = "/v1/jobs/\(job.id.rawValue)/outputs/hls/720p/seg0.ts"
            let stillSame = try await client.execute(
                uri: seg0, method: .get, headers: [.range: "bytes=2-5", .ifRange: etag])
            #expect(stillSame.status == .partialContent && String(buffer: stillSame.body) == "2345")
            let changed = try await client.execute(
                uri: seg0, method: .get, headers: [.range: "bytes=2-5", .ifRange: "\"another\""])
            #expect(changed.status == .ok && String(buffer: changed.body) == "0123456789")
            // A range past the end is 416 with the size; a malformed one is ignored.
            for unsatisfiable in ["bytes=10-20", "bytes=10-", "bytes=-0"] {
                let refused = try await client.execute(uri: seg0, method: .get, headers: [.range: unsatisfiable])
                #expect(refused.status == .rangeNotSatisfiable, "\(unsatisfiable)")
                #expect(refused.headers[.contentRange] == "bytes */10")
            }
            let malformed = try await client.execute(uri: seg0, method: .get, headers: [.range: "bytes=5-2"])
            #expect(malformed.status == .ok && malformed.body.readableBytes == 10)

            for path in ["../../../../etc/passwd", "720p/../../spool.sqlite", "%2e%2e/x"] {
                let response = try await client.execute(
                    uri: "/v1/jobs/\(job.id.rawValue)/outputs/hls/\(path)", method: .get)
                #expect(response.status == .notFound, "\(path)")
            }
        }
    }

    @Test func deadLettersAreListedAndCanBeRetried() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let spec = JobSpec(input: .upload(UploadID(rawValue: "upl_x")), outputs: Presets.named("web-360p")!.outputs)
        let (job, _) = try await fixture.store.submit(spec, now: Date())
        var now = Date()
        for attempt in 1...3 {
            let claimed = try #require(
                try await fixture.store.claimNext(
                    worker: WorkerID(rawValue: "wrk_t"), pool: "cpu", acceptsUnpinned: true,
                    leaseDuration: .seconds(30),
                    now: now))
            #expect(claimed.attempt == attempt)
            let failed = try await fixture.store.apply(
                .fail(claimed.currentLease!, JobError(code: .transcodeFailed, message: "ffmpeg crashed")), to: job.id,
                now: now)
            now = max(now, failed.job.notBefore).addingTimeInterval(0.001)
        }
        try await fixture.app.test(.router) { client in
            let letters = try Self.decode(
                JobListView.self, try await client.execute(uri: "/v1/dead-letters", method: .get).body)
            #expect(letters.jobs.map(\.id) == [job.id])
            #expect(letters.jobs.first?.error?.code == .transcodeFailed)

            let retried = try await client.execute(uri: "/v1/jobs/\(job.id.rawValue)/retry", method: .post)
            #expect(retried.status == .accepted)
            #expect(try Self.decode(JobView.self, retried.body).state == .queued)
            let again = try await client.execute(uri: "/v1/jobs/\(job.id.rawValue)/retry", method: .post)
            #expect(again.status == .conflict)
            let empty = try Self.decode(
                JobListView.self, try await client.execute(uri: "/v1/dead-letters", method: .get).body)
            #expect(empty.jobs.isEmpty)
        }
    }

    @Test func eventsStreamStateUntilTheJobEnds() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let spec = JobSpec(input: .upload(UploadID(rawValue: "upl_x")), outputs: Presets.named("web-360p")!.outputs)
        let (job, _) = try await fixture.store.submit(spec, now: Date())
        try await fixture.store.apply(.cancel, to: job.id, now: Date())
        try await fixture.app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/jobs/\(job.id.rawValue)/events", method: .get)
            #expect(response.headers[.contentType] == "text/event-stream")
            let text = String(buffer: response.body)
            #expect(text.hasPrefix("event: state\ndata: {"))
            #expect(text.contains(#""state":"cancelled""#))
        }
    }

    @Test func aFailingStorageOpensItsBreakerAndTheGatewaySaysSo() async throws {
        let fixture = try Fixture(storageBreaker: StorageBreakerSettings(failures: 2, coolDown: .seconds(3600)))
        defer { fixture.cleanUp() }
        // A file where the uploads directory should be: every upload fails in the filesystem itself.
        try Data().write(to: URL(fileURLWithPath: fixture.layout.uploads))
        try await fixture.app.test(.router) { client in
            for _ in 0..<2 {
                let failed = try await client.execute(uri: "/v1/uploads", method: .post, body: ByteBuffer(string: "x"))
                #expect(failed.status == .serviceUnavailable)
                #expect(try Self.decode(ProblemDetails.self, failed.body).detail.contains("failed to create an upload"))
            }
            let refused = try await client.execute(uri: "/v1/uploads", method: .post, body: ByteBuffer(string: "x"))
            #expect(refused.status == .serviceUnavailable)
            #expect(try Self.decode(ProblemDetails.self, refused.body).detail.contains("file storage is failing"))
            #expect((refused.headers[.retryAfter].flatMap { Int($0) } ?? 0) > 60)
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(String(buffer: ready.body).contains("storage"))
            // A job read needs no files and is still served.
            let jobs = try await client.execute(uri: "/v1/jobs", method: .get)
            #expect(jobs.status == .ok)
        }
    }

    @Test func theStorageBreakerClosesOnceAProbeSucceeds() async throws {
        let fixture = try Fixture(storageBreaker: StorageBreakerSettings(failures: 1, coolDown: .zero))
        defer { fixture.cleanUp() }
        let blocker = URL(fileURLWithPath: fixture.layout.uploads)
        try Data().write(to: blocker)
        try await fixture.app.test(.router) { client in
            let failed = try await client.execute(uri: "/v1/uploads", method: .post, body: ByteBuffer(string: "x"))
            #expect(failed.status == .serviceUnavailable)
            try FileManager.default.removeItem(at: blocker)
            let probe = try await client.execute(uri: "/v1/uploads", method: .post, body: ByteBuffer(string: "x"))
            #expect(probe.status == .created)
            #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
        }
    }
}
