import ArgumentParser
import Foundation
import SpoolControlPlane
import SpoolCore
import SpoolPlacement
import SpoolRedis
import SpoolRuntime
import SpoolWorker

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
    @OptionGroup var webhooks: WebhookOptions
    @OptionGroup var process: ProcessOptions

    @Option(help: "Seconds the leader lease lasts without renewal.")
    var leaseTTL = 6

    @Option(help: "Seconds without a worker heartbeat before the worker counts as dead.")
    var workerTimeout = 15

    func run() async throws {
        let (logger, _) = Runtime.bootstrap(process)
        let opened = try store.open()
        guard let redis = opened.redis else {
            throw ValidationError(
                "a manager coordinates a cluster: give --redis redis://host:port (or SPOOL_REDIS, or store.redis in "
                    + "--config)")
        }
        let plan = TopologyPlan.of(
            .manager, clustered: true, workerTimeout: .seconds(workerTimeout), leaseRenewal: .seconds(leaseTTL) / 3)
        guard case .lease(let prefix) = plan.leadership, let housekeeper = plan.housekeeper,
            let housekeepingInterval = plan.housekeepingInterval
        else { throw ExitCode(2) }
        let candidate = "\(prefix)-\(ProcessInfo.processInfo.hostName)-\(getpid())"
        let leadership = Leadership()
        let placement = PlacementService(
            store: opened.store, configuration: try scheduler.load(), leadership: leadership,
            clock: ContinuousClock(), logger: logger)
        let lease = LeaderLease(
            election: RedisLeaderElection(client: redis, namespace: opened.runtime.store.redisNamespace),
            candidate: candidate,
            ttl: .seconds(leaseTTL), leadership: leadership, clock: ContinuousClock(), logger: logger,
            onChange: { token in
                Runtime.announce(
                    token.map { "spool manager \(candidate) leading (token \($0))" }
                        ?? "spool manager \(candidate) standing by")
            })
        let housekeeping = HousekeepingService(
            store: opened.store, housekeeper: housekeeper,
            sweeper: AttemptJanitor(store: opened.store, layout: opened.layout, logger: logger),
            leadership: leadership, interval: housekeepingInterval, clock: ContinuousClock(), logger: logger)
        let pools = try autoscaler.poolManager(
            opened,
            child: ChildWorker(store: opened.runtime.store, worker: opened.runtime.worker, allowPrivateNetworks: false),
            defaultActuator: .gauge, leadership: leadership, logger: logger)
        let sender = webhooks.service(
            store: opened.store, layout: opened.layout, signer: try webhooks.signer(layout: opened.layout),
            allowPrivateNetworks: false, logger: logger)
        Runtime.announce("spool manager \(candidate) started")
        try await Runtime.run([lease, housekeeping, placement, pools, sender], logger: logger)
        await redis.close()
    }
}
