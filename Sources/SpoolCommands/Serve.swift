import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SpoolControlPlane
import SpoolCore
import SpoolHTTP
import SpoolPlacement
import SpoolPools
import SpoolRedis
import SpoolRuntime
import SpoolWorker

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
    @OptionGroup var webhooks: WebhookOptions
    @OptionGroup var process: ProcessOptions

    @Option(help: "Pools to run, comma-separated (default: every pool this machine can serve).")
    var pools: String?

    @Option(help: "Concurrent jobs of the cpu pool (default: one per core).")
    var cpuSlots: Int?

    func run() async throws {
        let (logger, registry) = Runtime.bootstrap(process)
        let opened = try store.open(worker: worker.settings)
        let workerSettings = opened.runtime.worker
        let inventory = try await Runtime.discover()
        let planned = try Runtime.pools(for: inventory, wanted: pools)
        let plan = TopologyPlan.of(.serve, clustered: opened.redis != nil)
        if plan.recoversAtStart {
            try await recoverEmbedded(store: opened.store, layout: opened.layout, logger: logger)
        }

        let schedulerConfiguration = try scheduler.load()
        let workSignal = WorkSignal()
        let placedSignal = WorkSignal()
        let workers = planned.map { pool in
            TranscodeWorker(
                store: opened.store,
                configuration: workerSettings.configuration(
                    for: pool, inventory: inventory, all: planned, slots: pool.kind == .cpu ? cpuSlots : nil),
                inventory: inventory, layout: opened.layout, inputPolicy: api.inputPolicy,
                sharedCache: opened.sharedCache,
                workSignal: workerSettings.dispatch == .placed ? placedSignal : workSignal,
                gpuMetrics: Runtime.gpuMetrics,
                gpuProcessMemory: Runtime.gpuProcessMemory,
                clock: ContinuousClock(), logger: logger)
        }
        var services: [any Service] = workers
        // Alone on SQLite this process always places; on Redis only while it holds the manager lease (TopologyPlan).
        let leadership = plan.leadership == .alone ? Leadership.alone() : Leadership()
        services.append(
            PlacementService(
                store: opened.store, configuration: schedulerConfiguration, leadership: leadership,
                submitted: workSignal, placed: placedSignal, clock: ContinuousClock(), logger: logger))
        let janitor = AttemptJanitor(store: opened.store, layout: opened.layout, logger: logger)
        if case .lease(let prefix) = plan.leadership, let redis = opened.redis {
            services.append(
                LeaderLease(
                    election: RedisLeaderElection(client: redis, namespace: opened.runtime.store.redisNamespace),
                    candidate: "\(prefix)-\(ProcessInfo.processInfo.hostName)-\(getpid())", leadership: leadership,
                    clock: ContinuousClock(), logger: logger))
        }
        if let housekeeper = plan.housekeeper, let interval = plan.housekeepingInterval {
            services.append(
                HousekeepingService(
                    store: opened.store, housekeeper: housekeeper, sweeper: janitor, leadership: leadership,
                    interval: interval, waitFirst: plan.leadership == .alone, clock: ContinuousClock(), logger: logger))
        }
        let autoscalerSettings = try autoscaler.settings()
        let child = ChildWorker(
            store: opened.runtime.store, worker: workerSettings, inputRoots: api.inputRoots,
            allowPrivateNetworks: api.allowPrivateNetworks)
        services.append(
            try autoscaler.poolManager(
                opened, child: child, defaultActuator: .local,
                shutdownGrace: .seconds(workerSettings.shutdownGraceSeconds + 5),
                leadership: leadership, logger: logger))
        let signer = try webhooks.signer(layout: opened.layout)
        services.append(
            webhooks.service(
                store: opened.store, layout: opened.layout, signer: signer,
                allowPrivateNetworks: api.allowPrivateNetworks, logger: logger))
        let expectedWorkers = workers.count
        let ffmpegVersion = inventory.ffmpeg.ffmpegVersion
        let store = opened.store
        let (authentication, rates) = try api.access()
        let drain = GracefulDrain()
        let spoolAPI = SpoolAPI(
            store: store,
            configuration: APIConfiguration(
                layout: opened.layout, inputPolicy: api.inputPolicy,
                instanceTypes: autoscalerSettings.catalog.isEmpty ? nil : Set(autoscalerSettings.catalog.map(\.name)),
                authentication: authentication, rateLimits: rates,
                jobCache: try api.jobCache, webhookSigner: signer,
                storageBreaker: api.storageBreaker),
            readiness: ReadinessChecks([
                "draining": drain.readinessCheck,
                "ffmpeg": { ffmpegVersion.isEmpty ? "ffmpeg was not probed" : nil },
                "workers": {
                    // Ready once every local worker has registered, so a client that waits for /ready sees all pools.
                    let registered = (try? await store.workers().filter { $0.pid == getpid() }.count) ?? 0
                    return registered >= expectedWorkers
                        ? nil : "\(registered) of \(expectedWorkers) workers registered"
                },
            ]),
            registry: registry, workSignal: workSignal,
            rateLimiter: opened.rateLimiter, logger: logger)
        let poolNames = planned.map(\.name).joined(separator: ", ")
        let root = opened.layout.root
        let storeName = opened.runtime.store.redis ?? "sqlite"
        let host = api.host
        let app = Runtime.application(
            api: spoolAPI, options: api, services: services,
            banner: { "spool serving http://\(host):\($0) (data \(root); store \(storeName); pools \(poolNames))" },
            logger: logger)
        try await Runtime.run(
            [app, drain.service(period: api.drainPeriod, logger: logger)],
            logger: logger)
        await opened.redis?.close()
    }

    /// The embedded server is the only node: every worker registered by an earlier run died with it.
    func recoverEmbedded(store: any JobStore, layout: DataLayout, logger: Logger) async throws {
        let pass = try await HousekeepingService(
            store: store, housekeeper: .embeddedStart,
            sweeper: AttemptJanitor(store: store, layout: layout, logger: logger), leadership: .alone(),
            interval: .seconds(5), clock: ContinuousClock(), logger: logger
        ).pass(now: Date())
        let transitions = pass.recovered
        let report = pass.sweep ?? SweepReport()
        if !transitions.isEmpty || !report.isEmpty {
            logger.notice(
                "recovered from the previous run",
                metadata: [
                    "requeued": "\(transitions.filter { $0.job.state == .queued }.count)",
                    "failed": "\(transitions.filter { $0.job.state == .failed }.count)",
                    "orphans_killed": "\(report.killedProcesses)", "rolled_forward": "\(report.rolledForward)",
                    "attempts_removed": "\(report.removedAttempts)",
                    "partial_uploads_removed": "\(report.removedUploads)",
                ])
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
