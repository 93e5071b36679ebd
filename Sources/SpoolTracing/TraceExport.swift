import Logging
import OTel
import ServiceLifecycle
import Tracing

/// The process's OpenTelemetry tracer: spans exported over OTLP/HTTP as the `OTEL_*` variables say (endpoint,
/// protocol, headers, timeout, sampler, batching, service name and resource attributes), traces only. Metrics stay
/// with Prometheus and logs with swift-log; logs made inside a span carry its `trace_id` and `span_id` through
/// `loggingMetadataProvider`.
public enum TraceExport {
    /// Adds `trace_id` and `span_id` to every log line made inside a span.
    public static var loggingMetadataProvider: Logger.MetadataProvider {
        let provider = OTel.makeLoggingMetadataProvider()
        return Logger.MetadataProvider {
            // The sampling flag says nothing to someone reading a log line; the two ids find the trace.
            var metadata = provider.get()
            metadata.removeValue(forKey: OTel.Configuration.LoggingMetadataProviderConfiguration.default.traceFlagsKey)
            return metadata
        }
    }

    /// Bootstraps the process-wide tracer when `mode` asks for it and returns the service that exports its spans,
    /// to run in the process's service group (it flushes what is left when the group shuts down). Nil when tracing
    /// is off, unsupported (said once at warning level), or cannot be set up (said at error level): the process runs
    /// on without traces either way. Call it at most once per process.
    public static func bootstrap(_ mode: TracingMode, logger: Logger) -> (any Service)? {
        switch mode {
        case .off:
            return nil
        case .unsupported(let reason):
            logger.warning("traces are not exported: \(reason)")
            return nil
        case .otlp(let serviceName):
            do {
                let backend = try makeTracer(serviceName: serviceName, logger: logger)
                InstrumentationSystem.bootstrap(backend.tracer)
                logger.info("exporting traces over OTLP/HTTP")
                return backend.service
            } catch {
                logger.error("traces are not exported: the OTEL_* settings were refused: \(error)")
                return nil
            }
        }
    }

    /// A tracer and its exporting service, not bootstrapped: what `bootstrap` installs, and what tests use in a
    /// scope of their own (`withTracer`). Reads the `OTEL_*` variables of the process.
    public static func makeTracer(serviceName: String, logger: Logger) throws -> (
        tracer: any Tracer, service: any Service
    ) {
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.traces.exporter = .otlp
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        // The exporter's own complaints (a collector that is down) go where the process's logs go.
        configuration.diagnosticLogger = .custom(logger)
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        return (backend.factory, backend.service)
    }
}
