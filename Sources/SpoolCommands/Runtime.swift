import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import SpoolCore
import SpoolMedia
import SpoolRuntime

/// What every long-running `spool` process sets up the same way.
enum Runtime {
    /// Logs to stderr at the chosen level; metrics into one Prometheus registry that /metrics serves.
    static func bootstrap(_ options: ProcessOptions) -> (Logger, PrometheusCollectorRegistry) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = options.logLevel
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Queue waits span a second to hours; the buckets hold each class's default target (5 s, 60 s, 1 h) exactly,
        // so the SLO rules in deploy/prometheus read "waited longer than the target" from one bucket.
        factory.durationHistogramBuckets["spool_queue_wait_seconds"] = [
            1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200,
        ].map { Duration.seconds($0) }
        MetricsSystem.bootstrap(factory)
        return (Logger(label: "spool"), registry)
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

    /// Runs services in one group that shuts down gracefully on SIGTERM and SIGINT.
    static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
