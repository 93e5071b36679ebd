import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import Testing

@testable import SpoolHTTP

/// The gateway's request metrics keep Hummingbird's names and dimensions; a small answer is counted when its handler
/// returns, a stream once its last byte is written, and an error as an error.
@Suite struct RequestMetricsTests {
    @Test func smallAnswersStreamsAndErrorsAreCountedAndTimed() async throws {
        let registry = PrometheusCollectorRegistry()
        let router = Router()
        router.add(
            middleware: RequestMetricsMiddleware(
                handles: RequestMetricHandles(factory: PrometheusMetricsFactory(registry: registry))))
        router.get("/small") { _, _ in "ok" }
        router.get("/stream") { _, _ in
            // No length: the body is written in parts, and timed to its end.
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: String(repeating: "a", count: 100_000)))
                    try await writer.write(ByteBuffer(string: "end"))
                    try await writer.finish(nil)
                })
        }
        router.get("/broken") { _, _ -> String in throw HTTPError(.conflict) }
        try await Application(router: router).test(.router) { client in
            #expect(try await client.execute(uri: "/small", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/small", method: .get).status == .ok)
            let streamed = try await client.execute(uri: "/stream", method: .get)
            #expect(streamed.body.readableBytes == 100_003)
            #expect(try await client.execute(uri: "/broken", method: .get).status == .conflict)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        func value(_ prefix: String, _ labels: [String]) -> String? {
            lines.first { line in line.hasPrefix(prefix + "{") && labels.allSatisfy { line.contains($0) } }?
                .split(separator: " ").last.map(String.init)
        }
        #expect(value("hb_requests", [#"http_route="/small""#, #"http_response_status_code="200""#]) == "2")
        #expect(value("hb_requests", [#"http_route="/stream""#]) == "1")
        #expect(value("http_server_request_duration_count", [#"http_route="/small""#]) == "2")
        #expect(value("http_server_request_duration_count", [#"http_route="/stream""#]) == "1")
        #expect(value("hb_request_errors", [#"http_route="/broken""#, #"error_type="409""#]) == "1")
        // Every request that started has ended.
        #expect(value("http_server_active_requests", [#"http_request_method="GET""#]) == "0.0")
    }
}
