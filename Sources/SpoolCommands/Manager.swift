import ArgumentParser
import Foundation
import SpoolRuntime

struct Manager: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run a manager: places jobs on workers and GPUs, requeues jobs of lost workers. Two may run; one leads.",
        discussion: """
            The leader also sizes the pools created with `spool pools create`: by default it only publishes \
            spool_pool_desired_workers (--actuator gauge) for an HPA or KEDA to follow; --actuator kubernetes patches \
            each pool's worker Deployment, --actuator local starts worker processes on this machine.

            The leader holds a Redis lease with a fencing token and renews it every third of --lease-ttl; when it \
            dies, another manager takes over once the lease lapses (6 s by default).

            Example:
              spool manager --redis redis://127.0.0.1:6379 --data /mnt/spool
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var scheduler: SchedulerOptions
    @OptionGroup var autoscaler: AutoscalerOptions
    @OptionGroup var retention: RetentionSweepOptions
    @OptionGroup var webhooks: WebhookOptions
    @OptionGroup var process: ProcessOptions
    @OptionGroup var ops: OpsOptions

    @Option(help: "Seconds the leader lease lasts without renewal.")
    var leaseTTL = 6

    @Option(help: "Seconds without a worker heartbeat before the worker counts as dead.")
    var workerTimeout = 15

    func run() async throws {
        let (logger, registry, traces) = Runtime.bootstrap(process, serviceName: "spool-manager")
        let configuration = try store.runtime(
            RuntimeConfiguration(
                controlPlane: ControlPlaneSettings(
                    scheduler: scheduler, autoscaler: autoscaler, retention: retention, leaseTTL: leaseTTL,
                    workerTimeout: workerTimeout),
                webhooks: webhooks.settings))
        let opened = try OpenedStore.open(configuration)
        let listener = try ops.listener()
        let assembled = try await Runtime.starting {
            try await ProcessAssembly(
                configuration: configuration, opened: opened, environment: ProcessInfo.processInfo.environment,
                registry: registry, logger: logger
            ).manager(ops: listener)
        }
        try await Runtime.run(assembled.services, traces: traces, logger: logger)
        await opened.redis?.close()
    }
}
