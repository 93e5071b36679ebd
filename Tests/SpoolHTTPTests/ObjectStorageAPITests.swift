import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpoolAPIModels
import SpoolInMemoryStore
import SpoolStorage
import Testing

@testable import SpoolCore
@testable import SpoolHTTP

/// The API over a storage backend that is not the data directory (here the in-memory one; the S3 backend runs the
/// same paths against SeaweedFS in the integration tests): uploads stream into it, outputs stream out of it, and the
/// gateway's data directory stays empty.
@Suite struct ObjectStorageAPITests {
    struct Fixture {
        let root: URL
        let layout: DataLayout
        let store = InMemoryJobStore()
        let objects = InMemoryObjectStorage()
        let app: Application<RouterResponder<SpoolRequestContext>>

        init(maxUploadBytes: Int64 = 1 << 20) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-objects-\(UUID().uuidString)")
            layout = DataLayout(root: root.path)
            try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
            let api = SpoolAPI(
                store: store,
                configuration: APIConfiguration(
                    layout: layout, inputPolicy: InputPolicy(maxUploadBytes: maxUploadBytes), objects: objects))
            app = Application(router: api.router())
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }

        /// Nothing at all under the data directory: a gateway on a bucket needs no disk.
        var dataDirectoryIsEmpty: Bool {
            (FileManager.default.enumerator(atPath: root.path)?.allObjects ?? []).isEmpty
        }
    }

    @Test func uploadsGoIntoTheBucketAndNothingTouchesTheDisk() async throws {
        let fixture = try Fixture(maxUploadBytes: 1000)
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            let upload = try await client.execute(
                uri: "/v1/uploads", method: .post, body: ByteBuffer(string: "bytes of a video"))
            #expect(upload.status == .created)
            let view = try APITests.decode(UploadView.self, upload.body)
            let stored = try await fixture.objects.head(ObjectKey("uploads/\(view.id.rawValue)"))
            #expect(stored?.size == 16)
            // Over the limit: refused, and the aborted upload leaves nothing in the bucket.
            let tooLarge = try await client.execute(
                uri: "/v1/uploads", method: .post, body: ByteBuffer(repeating: 1, count: 5000))
            #expect(tooLarge.status == .contentTooLarge)
            #expect(fixture.objects.count == 1)
        }
        #expect(fixture.dataDirectoryIsEmpty)
    }

    @Test func outputsStreamFromTheBucketWithRangesAndETags() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let spec = JobSpec(input: .upload(UploadID(rawValue: "upl_x")), outputs: Presets.named("web-720p")!.outputs)
        let (job, _) = try await fixture.store.submit(spec, now: Date())
        let worker = WorkerID(rawValue: "wrk_test")
        _ = try await fixture.store.claimNext(
            worker: worker, pool: "cpu", acceptsUnpinned: true, leaseDuration: .seconds(30), now: Date())
        let output = OutputResult(
            name: "720p", kind: .mp4, path: "720p.mp4", files: ["720p.mp4"], codec: "h264", width: 1280, height: 720,
            durationSeconds: 3, sizeBytes: 10, ssim: 0.97)
        try await fixture.store.apply(
            .succeed(Lease(job: job.id, worker: worker, attempt: 1), outputs: [output]), to: job.id, now: Date())

        try await fixture.app.test(.router) { client in
            let uri = "/v1/jobs/\(job.id.rawValue)/outputs/720p"
            // Committed, not yet published: a 503 to retry, not a 404.
            #expect(try await client.execute(uri: uri, method: .get).status == .serviceUnavailable)
            let source = fixture.root.appendingPathComponent("../\(UUID().uuidString)").standardized.path
            try "0123456789".write(toFile: source, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: source) }
            try await fixture.objects.put(
                ObjectKey("outputs/\(job.id.rawValue)/720p.mp4"), fromFile: source, contentType: nil)

            let whole = try await client.execute(uri: uri, method: .get)
            #expect(whole.status == .ok && String(buffer: whole.body) == "0123456789")
            #expect(whole.headers[.contentType] == "video/mp4" && whole.headers[.contentLength] == "10")
            let part = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=3-6"])
            #expect(part.status == .partialContent && String(buffer: part.body) == "3456")
            #expect(part.headers[.contentRange] == "bytes 3-6/10")
            let etag = try #require(whole.headers[.eTag])
            let again = try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
        }
        #expect(fixture.dataDirectoryIsEmpty)
    }
}
