import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import SpoolCore
import SpoolHTTP
import SpoolMedia
import SpoolWorker

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
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return (Logger(label: "spool"), registry)
    }

    /// Fresh nvidia-smi figures for a worker's registrations.
    static let gpuMetrics: @Sendable () async -> [GPUDevice] = { await DeviceDiscovery().nvidiaGPUs() }
    /// nvidia-smi's GPU memory per process, which placement's estimates learn from.
    static let gpuProcessMemory: @Sendable () async -> [Int32: Int] = { await DeviceDiscovery().computeApps() }

    static func discover() async throws -> DeviceInventory {
        do {
            return try await DeviceDiscovery().discover()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
    }

    /// The pools this machine can serve, narrowed to `wanted` (comma-separated names) when given.
    static func pools(for inventory: DeviceInventory, wanted: String?) throws -> [PoolDescriptor] {
        var planned = PoolPlanner.pools(for: inventory)
        if let wanted {
            let names = Set(wanted.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            let unknown = names.subtracting(planned.map(\.name))
            guard unknown.isEmpty else {
                Terminal.error(
                    "this machine cannot serve pool(s) \(unknown.sorted().joined(separator: ", ")); "
                        + "it can serve \(planned.map(\.name).joined(separator: ", "))")
                throw ExitCode(1)
            }
            planned = planned.filter { names.contains($0.name) }
        }
        guard !planned.isEmpty else {
            Terminal.error("no pool can run here: ffmpeg lacks libx264/libx265 and no GPU or OpenCL device was found")
            throw ExitCode(1)
        }
        return planned
    }

    /// Runs services in one group that shuts down gracefully on SIGTERM and SIGINT.
    static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    static func announce(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The HTTP application for a gateway (with or without local workers).
    static func application(
        api: SpoolAPI, options: APIOptions, services: [any Service], banner: @escaping @Sendable (Int) -> String,
        logger: Logger
    ) -> some Service {
        Application(
            router: api.router(),
            configuration: ApplicationConfiguration(
                address: .hostname(options.host, port: options.port), serverName: "spool"),
            services: services,
            onServerRunning: { channel in announce(banner(channel.localAddress?.port ?? options.port)) },
            logger: logger)
    }
}
