import ArgumentParser
import Foundation
import Logging
import SpoolRuntime

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Spool on this machine: HTTP API, store and local workers in one process.",
        discussion: """
            Discovers ffmpeg, OpenCL devices and NVIDIA GPUs, creates the pools this machine can serve (cpu, opencl, \
            cuda, hybrid), recovers jobs left by a previous run, and serves the API. The store is the embedded \
            SQLite file under --data unless --redis is given, in which case this process is one node of a cluster \
            (it also stands as a manager candidate). SIGTERM or Ctrl-C stops it gracefully: workers stop taking \
            jobs, finish or hand back what runs, and the process exits 0.

            Example:
              spool serve --data ./spool-data --input-root /srv/videos --port 7878
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var worker: WorkerOptions
    @OptionGroup var scheduler: SchedulerOptions
    @OptionGroup var autoscaler: AutoscalerOptions
    @OptionGroup var retention: RetentionSweepOptions
    @OptionGroup var webhooks: WebhookOptions
    @OptionGroup var process: ProcessOptions

    @Option(help: "Pools to run, comma-separated (default: every pool this machine can serve).")
    var pools: String?

    @Option(help: "Concurrent jobs of the cpu pool (default: one per core).")
    var cpuSlots: Int?

    func run() async throws {
        let (logger, registry, traces) = Runtime.bootstrap(process, serviceName: "spool")
        let configuration = try store.runtime(
            RuntimeConfiguration(
                worker: worker.settings, api: api.settings,
                controlPlane: ControlPlaneSettings(scheduler: scheduler, autoscaler: autoscaler, retention: retention),
                webhooks: webhooks.settings))
        let opened = try OpenedStore.open(configuration)
        let inventory = try await Runtime.discover()
        let assembled = try await Runtime.starting {
            try await ProcessAssembly(
                configuration: configuration, opened: opened, environment: ProcessInfo.processInfo.environment,
                registry: registry, logger: logger
            ).serve(
                inventory: inventory, pools: try PoolSelection.pools(for: inventory, wanted: pools), cpuSlots: cpuSlots)
        }
        try await Runtime.run(assembled.services, traces: traces, logger: logger)
        await opened.redis?.close()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
