import Logging
import SpoolTraceContext
import SpoolTracing
import Testing
import Tracing

/// The traceparent a client sends, and the one a job keeps, read and written through the real OpenTelemetry tracer
/// (in a task-local scope: nothing is bootstrapped for the process).
@Suite struct TraceParentTests {
    static let client = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    func withOTelTracer(_ body: () throws -> Void) throws {
        let tracer = try TraceExport.makeTracer(serviceName: "test", logger: Logger(label: "test")).tracer
        try withTracer(tracer) { try body() }
    }

    /// The trace and parent span ids of `traceparent` (`00-TRACE-SPAN-FLAGS`).
    func ids(_ traceParent: String?) -> (trace: Substring, span: Substring)? {
        guard let parts = traceParent?.split(separator: "-"), parts.count == 4 else { return nil }
        return (parts[1], parts[2])
    }

    @Test func aSpanStartedUnderTheClientsTraceparentIsItsChildAndTheJobKeepsItsOwnContext() throws {
        try withOTelTracer {
            let span = startSpan("POST /v1/jobs", context: TraceParent.context(traceParent: Self.client))
            defer { span.end() }
            let kept = try #require(TraceParent.header(of: span.context))
            #expect(ids(kept)?.trace == "0af7651916cd43dd8448eb211c80319c")
            #expect(ids(kept)?.span != "b7ad6b7169203331")
            #expect(kept.hasSuffix("-01"))
            // A later process reads what the job kept: its spans are children of the submission's span.
            let later = startSpan("worker.attempt", context: TraceParent.context(traceParent: kept))
            defer { later.end() }
            #expect(ids(TraceParent.header(of: later.context))?.trace == ids(kept)?.trace)
        }
    }

    @Test(arguments: [
        "", "garbage", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01",
    ])
    func aMalformedTraceparentStartsANewRoot(_ malformed: String) throws {
        try withOTelTracer {
            let context = TraceParent.context(traceParent: malformed)
            #expect(TraceParent.header(of: context) == nil)
            let span = startSpan("POST /v1/jobs", context: context)
            defer { span.end() }
            let kept = try #require(TraceParent.header(of: span.context))
            #expect(ids(kept)?.trace != "0af7651916cd43dd8448eb211c80319c")
            #expect(ids(kept)?.trace != "00000000000000000000000000000000")
        }
    }

    @Test func aMalformedTracestateIsDroppedAndTheTraceparentKept() throws {
        try withOTelTracer {
            let context = TraceParent.context(traceParent: Self.client, traceState: "=,not state")
            #expect(TraceParent.header(of: context) == Self.client)
        }
    }

    @Test func withTracingOffNothingIsReadOrKept() {
        // No tracer in scope: the no-op instrument reads nothing, and a job keeps no traceparent.
        let context = TraceParent.context(traceParent: Self.client)
        #expect(TraceParent.header(of: context) == nil)
        let span = startSpan("POST /v1/jobs", context: context)
        #expect(TraceParent.header(of: span.context) == nil)
        span.end()
    }
}
