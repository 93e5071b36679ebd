import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SpoolAPIModels
import SpoolTracing
import Testing
import Tracing

@testable import SpoolCore
@testable import SpoolHTTP

/// What `POST /v1/jobs` does with a W3C traceparent, with the real OpenTelemetry tracer in scope (task-local: nothing
/// is bootstrapped for the process): the job keeps its submission span's context, under the client's trace.
@Suite struct SubmissionTracingTests {
    static let clientTrace = "0af7651916cd43dd8448eb211c80319c"
    static let client = "00-\(clientTrace)-b7ad6b7169203331-01"

    func parts(_ traceParent: String?) -> [Substring] { traceParent?.split(separator: "-") ?? [] }

    /// Submits one job of an upload of its own with `headers` (the same key again replays it); returns the job as
    /// stored.
    func submit(
        _ client: some TestClientProtocol, _ store: some JobReading, key: String, headers: HTTPFields,
        uploads: inout [String: String]
    ) async throws -> Job {
        if uploads[key] == nil {
            let upload = try await client.execute(uri: "/v1/uploads", method: .post, body: ByteBuffer(string: "video"))
            uploads[key] = try APITests.decode(UploadView.self, upload.body).uri
        }
        let body = #"{"input": "\#(uploads[key]!)", "preset": "web-360p", "idempotency_key": "\#(key)"}"#
        let response = try await client.execute(
            uri: "/v1/jobs", method: .post, headers: headers, body: APITests.json(body))
        #expect(response.status == .accepted)
        let view = try APITests.decode(JobView.self, response.body)
        return try #require(try await store.job(view.id))
    }

    @Test func theJobKeepsItsSubmissionSpanUnderTheClientsTraceAndABadHeaderStartsANewOne() async throws {
        let fixture = try APITests.Fixture()
        defer { fixture.cleanUp() }
        let tracer = try TraceExport.makeTracer(serviceName: "test", logger: Logger(label: "test")).tracer
        try await withTracer(tracer) {
            try await fixture.app.test(.router) { client in
                var uploads: [String: String] = [:]
                let traced = try await submit(
                    client, fixture.store, key: "a", headers: [HTTPField.Name("traceparent")!: Self.client],
                    uploads: &uploads)
                let kept = parts(traced.spec.traceParent)
                #expect(kept.count == 4 && kept[1] == Self.clientTrace[...])
                #expect(kept.count == 4 && kept[2] != "b7ad6b7169203331", "the gateway's own span, not the client's")

                let malformed = try await submit(
                    client, fixture.store, key: "b", headers: [HTTPField.Name("traceparent")!: "00-nonsense-01"],
                    uploads: &uploads)
                let fresh = parts(malformed.spec.traceParent)
                #expect(fresh.count == 4 && fresh[1] != Self.clientTrace[...] && fresh[1] != kept[1])

                // A replay under another trace is the same request: the same job, still in its first trace.
                let other = "00-1bf7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01"
                let replayed = try await submit(
                    client, fixture.store, key: "a", headers: [HTTPField.Name("traceparent")!: other], uploads: &uploads
                )
                #expect(replayed.id == traced.id && replayed.spec.traceParent == traced.spec.traceParent)
            }
        }
    }

    @Test func withTracingOffTheHeaderIsIgnoredAndNothingIsKept() async throws {
        let fixture = try APITests.Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            var uploads: [String: String] = [:]
            let job = try await submit(
                client, fixture.store, key: "c", headers: [HTTPField.Name("traceparent")!: Self.client],
                uploads: &uploads)
            #expect(job.spec.traceParent == nil)
        }
    }
}
