import HTTPTypes
import Hummingbird
import SpoolTraceContext
import Tracing

extension SpoolAPI {
    static let traceParentField = HTTPField.Name(TraceParent.headerName)!
    static let traceStateField = HTTPField.Name(TraceParent.stateHeaderName)!

    /// Runs a submission inside its server span, `POST /v1/jobs`: a child of the client's `traceparent` when it sent
    /// one that reads, else a new root (a malformed header is ignored, never refused). A problem the client caused
    /// (4xx) is the answer it asked for, not a failure of the span; anything else is recorded as the span's error.
    static func tracingSubmission(
        _ request: Request, _ operation: (any Span) async throws -> Response
    ) async throws -> Response {
        let parent = TraceParent.context(
            traceParent: request.headers[traceParentField], traceState: request.headers[traceStateField])
        let span = startSpan("POST /v1/jobs", context: parent, ofKind: .server)
        defer { span.end() }
        span.attributes["http.request.method"] = "POST"
        span.attributes["http.route"] = "/v1/jobs"
        do {
            let response = try await InstrumentationContext.withValue(span.context) { try await operation(span) }
            span.attributes["http.response.status_code"] = Int(response.status.code)
            return response
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            span.attributes["http.response.status_code"] = Int(error.status.code)
            throw error
        } catch {
            if let refusal = error as? any HTTPResponseError {
                span.attributes["http.response.status_code"] = Int(refusal.status.code)
            }
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
