import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import SpoolCore
import SpoolMedia
import SpoolRuntime
import SpoolTracing

/// What every long-running `spool` process sets up the same way.
enum Runtime {
    /// Logs to stderr at the chosen level; metrics into one Prometheus registry that /metrics serves; traces over
    /// OTLP when the `OTEL_*` variables ask for them, named `serviceName` unless `OTEL_SERVICE_NAME` says otherwise.
    /// The third value is the trace exporter to run with the process's services (nil when tracing is off).
    static func bootstrap(
        _ options: ProcessOptions, serviceName: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (Logger, PrometheusCollectorRegistry, (any Service)?) {
        let tracing = TracingMode(environment: environment, defaultServiceName: serviceName)
        // Lines logged inside a span carry its trace_id and span_id; with tracing off, logs are as they always were.
        let metadataProvider: Logger.MetadataProvider? =
            if case .otlp = tracing { TraceExport.loggingMetadataProvider } else { nil }
        LoggingSystem.bootstrap(
            { label, provider in
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                handler.logLevel = options.logLevel
                return handler
            }, metadataProvider: metadataProvider)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Queue waits span a second to hours; the buckets hold each class's default target (5 s, 60 s, 1 h) exactly,
        // so the SLO rules in deploy/prometheus read "waited longer than the target" from one bucket.
        factory.durationHistogramBuckets["spool_queue_wait_seconds"] = [
            1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200,
        ].map { Duration.seconds($0) }
        MetricsSystem.bootstrap(factory)
        let traces = TraceExport.bootstrap(tracing, logger: Logger(label: "spool.traces"))
        return (Logger(label: "spool"), registry, traces)
    }

    static func discover() async throws -> DeviceInventory {
        do {
            return try await DeviceDiscovery().discover()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
    }

    /// Builds what a process runs; a refusal (`StartupError`) is printed as it is, and the process exits 1.
    static func starting<T>(_ build: () async throws -> T) async throws -> T {
        do {
            return try await build()
        } catch let error as StartupError {
            Terminal.error(error.description)
            throw ExitCode(1)
        }
    }

    /// Runs services in one group that shuts down gracefully on SIGTERM and SIGINT, with the trace exporter when
    /// there is one.
    static func run(_ services: [any Service], traces: (any Service)? = nil, logger: Logger) async throws {
        var configurations = services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        if let traces {
            // First, so it is shut down last (the group stops services in reverse order) and exports the spans of
            // everyone's shutdown. Its end, even a failure, takes nothing else down: traces are not worth an outage.
            configurations.insert(
                ServiceGroupConfiguration.ServiceConfiguration(
                    service: traces, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore),
                at: 0)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: configurations, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
