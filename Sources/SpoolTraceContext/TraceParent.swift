import Tracing
import W3CTraceContext

/// A job's place in a trace as W3C Trace Context: read from a request's headers or from the `traceparent` a job
/// stored, and written back as the `traceparent` it keeps. Both go through the instrument the process bootstrapped
/// (SpoolTracing's OpenTelemetry tracer; with tracing off, a no-op that reads and writes nothing), so no target but
/// SpoolTracing knows which tracer runs.
public enum TraceParent {
    public static let headerName = "traceparent"
    public static let stateHeaderName = "tracestate"

    /// The context that `traceParent` (and `traceState`) name, on top of `base`. A missing or malformed traceparent
    /// gives `base` back unchanged, so the next span is a new root: a client's bad header never fails its request
    /// (and is checked here first, so it is not logged as the tracer's own failure on every request). A malformed
    /// tracestate is dropped and the traceparent kept, as W3C Trace Context asks.
    public static func context(
        traceParent: String?, traceState: String? = nil, base: InstrumentationContext = .topLevel
    ) -> InstrumentationContext {
        guard let traceParent, (try? TraceContext(traceParentHeaderValue: traceParent)) != nil else { return base }
        // Only these two headers reach the tracer: it may log the whole carrier when it cannot read it, and a
        // request's other headers (its Authorization) must never be logged.
        var carrier = [headerName: traceParent]
        if let traceState,
            (try? TraceContext(traceParentHeaderValue: traceParent, traceStateHeaderValue: traceState)) != nil
        {
            carrier[stateHeaderName] = traceState
        }
        var context = base
        InstrumentationSystem.instrument.extract(carrier, into: &context, using: HeaderValues())
        return context
    }

    /// The `traceparent` of the span `context` holds: what a job keeps so later spans, in any process, join its
    /// trace. Nil when the context holds no span (tracing is off).
    public static func header(of context: InstrumentationContext) -> String? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: HeaderValues())
        return carrier[headerName]
    }
}

/// Header values by name, for the tracer to read and write.
struct HeaderValues: Extractor, Injector {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }

    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}
