import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import SpoolActuators
import SpoolAutoscaling
import SpoolControlPlane
import SpoolCore
import SpoolHTTP
import SpoolMedia
import SpoolPlacement
import SpoolPools
import SpoolRedis
import SpoolScheduling
import SpoolStorage
import SpoolWebhooks
import SpoolWorker

/// Builds the services of each topology (`serve`, `gateway`, `manager`, `worker`) from one resolved configuration and
/// the store it opened. The commands parse flags into a `RuntimeConfiguration`, hand it here, and run what comes back
/// in one `ServiceGroup`; which services a topology runs, and how it is led, is `TopologyPlan`'s decision.
public struct ProcessAssembly: Sendable {
    public let configuration: RuntimeConfiguration
    public let opened: OpenedStore
    public let environment: [String: String]
    public let registry: PrometheusCollectorRegistry
    public let logger: Logger
    /// Where a process says what it is (its address, its leadership) for people and scripts: stdout by default.
    public let announce: @Sendable (String) -> Void
    /// Fresh nvidia-smi figures for worker registrations, and nvidia-smi's GPU memory per process; injectable so the
    /// wiring tests need no GPU.
    public var gpuMetrics: @Sendable () async -> [GPUDevice] = { await DeviceDiscovery().nvidiaGPUs() }
    public var gpuProcessMemory: @Sendable () async -> [Int32: Int] = { await DeviceDiscovery().computeApps() }
    /// The `spool` executable a local actuator starts workers with.
    public var executable: String = ProcessAssembly.currentExecutable

    public init(
        configuration: RuntimeConfiguration, opened: OpenedStore, environment: [String: String],
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger,
        announce: @escaping @Sendable (String) -> Void = ProcessAssembly.printLine
    ) {
        self.configuration = configuration
        self.opened = opened
        self.environment = environment
        self.registry = registry
        self.logger = logger
        self.announce = announce
    }

    /// Where a manager or worker serves `/health`, `/ready` and `/metrics` (`--ops-port`).
    public struct OpsListener: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// The ops endpoints as a service, beside the process's own.
    func opsServer(_ listener: OpsListener, checks: [String: @Sendable () async -> String?]) -> any Service {
        let endpoints = OpsEndpoints(store: opened.store, readiness: ReadinessChecks(checks), registry: registry)
        let announce = announce
        return APIServer(
            router: endpoints.router(), listener: APIListener(host: listener.host, port: listener.port), logger: logger,
            onServerRunning: { channel in
                announce("ops endpoints http://\(listener.host):\(channel.localAddress?.port ?? listener.port)")
            })
    }

    /// What one process runs: its services, and the store connections to close after they stop.
    public struct Assembled: Sendable {
        public var services: [any Service]
        public var plan: TopologyPlan
        /// What each service is, in order, for logs and the wiring tests.
        public var names: [String]
    }

    // MARK: - Topologies

    /// The stateless API.
    public func gateway() async throws(StartupError) -> Assembled {
        try await verifyStorage()
        let plan = TopologyPlan.of(.gateway, clustered: opened.redis != nil)
        let drain = GracefulDrain()
        var checks = ["draining": drain.readinessCheck, "disk": diskReadiness()]
        if let storage = storageReadiness() { checks["storage"] = storage }
        // On Redis each submission here wakes the leading scheduler, wherever it runs.
        let relay = schedulerWakeUpRelay()
        let api = try spoolAPI(
            readiness: ReadinessChecks(checks), instanceTypes: nil, workSignal: relay?.news, drain: drain)
        let storeName = configuration.store.redis ?? "sqlite"
        let host = configuration.api.host
        let app = application(api, services: relay.map { [$0] } ?? []) {
            "spool gateway http://\(host):\($0) (store \(storeName))"
        }
        return Assembled(
            services: [app, drain.service(period: configuration.api.drainPeriod, logger: logger)], plan: plan,
            names: ["http"] + (relay == nil ? [] : ["scheduler-wake-ups"]) + ["drain"])
    }

    /// Scheduler, pool manager, webhooks and housekeeping, while it leads (a Redis lease).
    public func manager(ops: OpsListener? = nil) async throws(StartupError) -> Assembled {
        guard let redis = opened.redis else { throw .managerNeedsRedis }
        try await verifyStorage()
        let settings = configuration.controlPlane
        let plan = TopologyPlan.of(
            .manager, clustered: true, workerTimeout: settings.workerTimeout, leaseRenewal: settings.leaseTTL / 3)
        guard case .lease(let prefix) = plan.leadership else { preconditionFailure("a manager leads by lease") }
        let candidate = candidateName(prefix)
        let leadership = Leadership()
        let announce = announce
        let lease = LeaderLease(
            election: RedisLeaderElection(client: redis, namespace: configuration.store.redisNamespace),
            candidate: candidate, ttl: settings.leaseTTL, leadership: leadership, clock: ContinuousClock(),
            logger: logger,
            onChange: { token in
                announce(
                    token.map { "spool manager \(candidate) leading (token \($0))" }
                        ?? "spool manager \(candidate) standing by")
            })
        var services: [any Service] = [lease]
        var names = ["leader-lease"]
        if let housekeeping = housekeeping(plan, leadership: leadership) {
            services.append(housekeeping)
            names.append("housekeeping")
        }
        if let retention = retention(plan, leadership: leadership) {
            services.append(retention)
            names.append("retention")
        }
        // Gateways and workers in other processes wake the cycle through Redis when jobs arrive or slots free.
        let wakeUps = WorkSignal()
        services.append(
            PlacementService(
                store: opened.store, configuration: try schedulerConfiguration(), leadership: leadership,
                submitted: wakeUps, clock: ContinuousClock(), logger: logger, inputRouting: try inputRouting()))
        names.append("placement")
        if let listener = schedulerWakeUps(wakeUps, leadership: leadership) {
            services.append(listener)
            names.append("scheduler-wake-ups")
        }
        services.append(
            try poolManager(
                child: ChildWorker(
                    store: configuration.store, worker: childWorkerSettings(configuration.worker),
                    allowPrivateNetworks: false),
                defaultActuator: .gauge, shutdownGrace: .seconds(30), leadership: leadership))
        services.append(try webhookSender(allowPrivateNetworks: false))
        names += ["pool-manager", "webhooks"]
        if let ops {
            // A standby manager is ready too: it is what takes over.
            services.append(opsServer(ops, checks: [:]))
            names.append("ops")
        }
        announce("spool manager \(candidate) started")
        return Assembled(services: services, plan: plan, names: names)
    }

    /// One pool's worker: a pool created through the API (its spec gives kind, devices and slots), or one this machine
    /// serves by its devices.
    public func worker(
        pool: String, slots: Int?, inventory: DeviceInventory, inputPolicy: InputPolicy, ops: OpsListener? = nil,
        capacityType: CapacityType? = nil
    ) async throws -> Assembled {
        try await verifyStorage()
        var inventory = inventory
        var workerConfiguration: WorkerConfiguration
        if let managed = try await opened.store.pool(named: pool) {
            guard managed.phase == .active else {
                throw StartupError.poolNotActive(name: pool, phase: managed.phase.rawValue)
            }
            inventory = managed.deviceSelector.narrow(inventory)
            let servable = PoolPlanner.pools(for: inventory)
            guard let base = servable.first(where: { $0.kind == managed.kind }) else {
                if let problem = inventory.gpuDiscoveryProblem { throw StartupError.gpuDiscoveryFailed(problem) }
                throw StartupError.poolKindUnservable(
                    name: pool, kind: managed.kind.rawValue, narrowed: !managed.deviceSelector.isEmpty,
                    servable: servable.map(\.kind.rawValue))
            }
            var managedConfiguration = configuration.worker.configuration(
                for: PoolDescriptor(name: managed.name, kind: managed.kind, summary: base.summary),
                inventory: inventory, all: servable, slots: slots ?? managed.slotsPerWorker)
            managedConfiguration.acceptsUnpinned = true
            managedConfiguration.capacityPrice = try capacityPrice(managed: managed)
            workerConfiguration = managedConfiguration
        } else {
            let planned = try PoolSelection.pools(for: inventory, wanted: pool)
            var plannedConfiguration = configuration.worker.configuration(
                for: planned[0], inventory: inventory, all: PoolPlanner.pools(for: inventory), slots: slots)
            plannedConfiguration.capacityPrice = try capacityPrice(managed: nil)
            workerConfiguration = plannedConfiguration
        }
        workerConfiguration.capacityType = capacityType
        // On Redis the leader tells this worker when it placed something on it (the scheduler runs elsewhere).
        // And this worker tells the leader when it frees a slot, so the next job is placed now, not next cycle.
        let placed = opened.redisStore != nil ? WorkSignal() : nil
        let relay = schedulerWakeUpRelay()
        let worker = TranscodeWorker(
            store: opened.store, configuration: workerConfiguration, inventory: inventory, layout: opened.layout,
            inputPolicy: withObjectInputs(inputPolicy), sharedCache: opened.sharedCache, workSignal: placed,
            objects: opened.objects,
            objectInputs: opened.objectInputs, gpuMetrics: gpuMetrics,
            gpuProcessMemory: gpuProcessMemory, schedulerWakeUp: relay?.news, clock: ContinuousClock(),
            logger: logger)
        announce("spool worker \(worker.id) (pool \(pool), \(workerConfiguration.slots) slots)")
        let roots = withObjectInputs(inputPolicy).inputRoots
        announce(
            roots.isEmpty
                ? "file:// inputs: none (no --input-root); gateways that accept them need the same roots here"
                : "file:// inputs from: \(roots.joined(separator: ", ")) (gateways must accept the same --input-root)")
        if workerConfiguration.dispatch == .placed {
            announce(
                "takes the jobs a scheduler places on it: run `spool manager` against the same store "
                    + "(or start workers with --dispatch pull to go without)")
        }
        var services: [any Service] = [worker]
        var names = ["worker \(pool)"]
        if let redisStore = opened.redisStore, let placed {
            services.append(PlacementWakeups(store: redisStore, worker: worker.id, signal: placed, logger: logger))
            names.append("placement-wakeups")
        }
        if let relay {
            services.append(relay)
            names.append("scheduler-wake-ups")
        }
        if let ops {
            services.append(opsServer(ops, checks: ["worker": { worker.readinessProblem }]))
            names.append("ops")
        }
        return Assembled(
            services: services, plan: TopologyPlan.of(.worker, clustered: opened.redis != nil), names: names)
    }

    /// Everything in one process: the API, local workers for `pools`, and the control plane (always leading alone on
    /// SQLite; by lease on Redis). On SQLite it first recovers what the previous run left.
    public func serve(inventory: DeviceInventory, pools: [PoolDescriptor], cpuSlots: Int?) async throws -> Assembled {
        try await verifyStorage()
        let plan = TopologyPlan.of(
            .serve, clustered: opened.redis != nil, workerTimeout: configuration.controlPlane.workerTimeout,
            leaseRenewal: configuration.controlPlane.leaseTTL / 3)
        if plan.recoversAtStart { try await recoverEmbedded() }
        let workSignal = WorkSignal()
        let placedSignal = WorkSignal()
        let settings = configuration.worker
        let price = try capacityPrice(managed: nil)
        let workers = pools.map { pool in
            var workerConfiguration = settings.configuration(
                for: pool, inventory: inventory, all: pools, slots: pool.kind == .cpu ? cpuSlots : nil)
            workerConfiguration.capacityPrice = price
            return TranscodeWorker(
                store: opened.store,
                configuration: workerConfiguration,
                inventory: inventory, layout: opened.layout,
                inputPolicy: withObjectInputs(configuration.api.inputPolicy),
                sharedCache: opened.sharedCache, workSignal: settings.dispatch == .placed ? placedSignal : workSignal,
                objects: opened.objects, objectInputs: opened.objectInputs,
                gpuMetrics: gpuMetrics, gpuProcessMemory: gpuProcessMemory, schedulerWakeUp: workSignal,
                clock: ContinuousClock(), logger: logger)
        }
        var services: [any Service] = workers
        var names = pools.map { "worker \($0.name)" }
        // Alone on SQLite this process always places; on Redis only while it holds the lease (TopologyPlan).
        let leadership = plan.leadership == .alone ? Leadership.alone() : Leadership()
        services.append(
            PlacementService(
                store: opened.store, configuration: try schedulerConfiguration(), leadership: leadership,
                submitted: workSignal, placed: placedSignal, clock: ContinuousClock(), logger: logger,
                inputRouting: try inputRouting()))
        names.append("placement")
        // Gateways and workers in other processes wake it too while it leads. (This process's own news stays in
        // memory: relaying it as well would wake this listener, which wakes the relay again.)
        if let listener = schedulerWakeUps(workSignal, leadership: leadership) {
            services.append(listener)
            names.append("scheduler-wake-ups")
        }
        if case .lease(let prefix) = plan.leadership, let redis = opened.redis {
            services.append(
                LeaderLease(
                    election: RedisLeaderElection(client: redis, namespace: configuration.store.redisNamespace),
                    candidate: candidateName(prefix), ttl: configuration.controlPlane.leaseTTL, leadership: leadership,
                    clock: ContinuousClock(), logger: logger))
            names.append("leader-lease")
        }
        if let housekeeping = housekeeping(plan, leadership: leadership) {
            services.append(housekeeping)
            names.append("housekeeping")
        }
        if let retention = retention(plan, leadership: leadership) {
            services.append(retention)
            names.append("retention")
        }
        let autoscalerSettings = try autoscalerSettings()
        services.append(
            try poolManager(
                child: childWorker(settings),
                defaultActuator: .local, shutdownGrace: .seconds(settings.shutdownGraceSeconds + 5),
                leadership: leadership))
        services.append(try webhookSender(allowPrivateNetworks: configuration.api.allowPrivateNetworks))
        names += ["pool-manager", "webhooks"]

        let drain = GracefulDrain()
        let store = opened.store
        let expectedWorkers = workers.count
        let ffmpegVersion = inventory.ffmpeg.ffmpegVersion
        var checks: [String: @Sendable () async -> String?] = [
            "draining": drain.readinessCheck,
            "disk": diskReadiness(),
            "ffmpeg": { ffmpegVersion.isEmpty ? "ffmpeg was not probed" : nil },
            "workers": {
                // Ready once every local worker has registered, so a client that waits for /ready sees all pools.
                let registered = (try? await store.workers().filter { $0.pid == getpid() }.count) ?? 0
                return registered >= expectedWorkers
                    ? nil : "\(registered) of \(expectedWorkers) workers registered"
            },
        ]
        if let storage = storageReadiness() { checks["storage"] = storage }
        if let gpuProblem = inventory.gpuDiscoveryProblem {
            // nvidia-smi is installed and broken: the GPUs this machine was meant to offer are missing.
            checks["gpus"] = { "GPU discovery failed: " + gpuProblem }
        }
        let api = try spoolAPI(
            readiness: ReadinessChecks(checks),
            instanceTypes: autoscalerSettings.catalog.isEmpty ? nil : Set(autoscalerSettings.catalog.map(\.name)),
            workSignal: workSignal, builtInPools: Set(pools.map(\.name)), drain: drain)
        let poolNames = pools.map(\.name).joined(separator: ", ")
        let root = opened.layout.root
        let storeName = configuration.store.redis ?? "sqlite"
        let host = configuration.api.host
        // The workers and the control plane run inside the HTTP application, so they stop after it stops serving.
        let app = application(api, services: services) {
            "spool serving http://\(host):\($0) (data \(root); store \(storeName); pools \(poolNames)); console at "
                + "http://\(host):\($0)/"
        }
        return Assembled(
            services: [app, drain.service(period: configuration.api.drainPeriod, logger: logger)], plan: plan,
            names: ["http"] + names + ["drain"])
    }

    // MARK: - Parts

    /// On Redis, the leader's ear for news from gateways and workers in other processes (`SchedulerWakeUpRelay`):
    /// notifies `signal`, which wakes the placement cycle. Nil on SQLite, where everything runs in this process.
    func schedulerWakeUps(_ signal: WorkSignal, leadership: Leadership) -> SchedulerWakeUps? {
        opened.redisStore.map { store in
            SchedulerWakeUps(store: store, signal: signal, isLeading: { leadership.current != nil }, logger: logger)
        }
    }

    /// On Redis, what passes this process's news for the scheduler (its `news`: submissions to a gateway, slots a
    /// worker freed) to the leader in another process. Nil on SQLite, where the scheduler runs in this process.
    func schedulerWakeUpRelay() -> SchedulerWakeUpRelay<ContinuousClock>? {
        opened.redisStore.map { SchedulerWakeUpRelay(store: $0, news: WorkSignal(), clock: ContinuousClock()) }
    }

    /// A local worker the pool manager starts: this process's store, worker settings and input rules.
    func childWorker(_ settings: WorkerSettings) -> ChildWorker {
        var child = ChildWorker(
            store: configuration.store, worker: childWorkerSettings(settings), inputRoots: configuration.api.inputRoots,
            allowPrivateNetworks: configuration.api.allowPrivateNetworks)
        child.inputBuckets = configuration.api.inputBuckets
        return child
    }

    /// `policy` with what `s3://` inputs may name: on a bucket storage, each tenant's `files/` under its root, and for
    /// the default tenant the buckets the administrator lists (`--input-bucket`).
    func withObjectInputs(_ policy: InputPolicy) -> InputPolicy {
        guard case .s3(let bucket, let prefix)? = try? StorageLocation.parse(configuration.store.storage) else {
            return policy
        }
        var policy = policy
        let fresh = InputPolicy(
            storageObjectRoot: prefix.isEmpty ? bucket : bucket + "/" + prefix,
            inputBuckets: configuration.api.inputBuckets)
        policy.storageObjectRoot = fresh.storageObjectRoot
        policy.objectInputPrefixes = fresh.objectInputPrefixes
        return policy
    }

    /// A storage that does not exist stops start-up, naming it (a typo in a bucket name is a configuration error).
    /// Any other failure (credentials refused, the server away) may pass: the process starts, `/ready` says 503 with
    /// the reason, and the storage breaker guards each request.
    func verifyStorage() async throws(StartupError) {
        do {
            try await opened.objects.checkAvailable()
        } catch .containerMissing(let name) {
            throw .storage("\(name) does not exist: create it, or fix --storage")
        } catch {
            logger.warning(
                "the storage cannot be used yet; /ready says 503 until it can",
                metadata: ["storage": "\(opened.objects.name)", "error": "\(error)"])
        }
    }

    /// For `/ready` on a remote storage: the bucket's check, at most every few seconds (a balancer asks often).
    /// The data folder's disk: uploads and attempts are written there.
    func diskReadiness() -> @Sendable () async -> String? {
        let disk = DiskSpace(path: opened.layout.root)
        return { disk.problem }
    }

    func storageReadiness() -> (@Sendable () async -> String?)? {
        guard opened.objects.localRoot != opened.layout.root else { return nil }
        let probe = StorageProbe(objects: opened.objects)
        return { await probe.problem() }
    }

    func spoolAPI(
        readiness: ReadinessChecks, instanceTypes: Set<String>?, workSignal: WorkSignal?,
        builtInPools: Set<String> = [],
        drain: GracefulDrain
    ) throws(StartupError) -> SpoolAPI {
        let settings = configuration.api
        let authentication: AuthenticationMode
        do {
            authentication = try settings.authentication(environment: environment)
        } catch {
            throw .configuration(error)
        }
        var api = APIConfiguration(
            layout: opened.layout, inputPolicy: withObjectInputs(settings.inputPolicy), instanceTypes: instanceTypes,
            authentication: authentication, rateLimits: settings.rateLimits, jobCache: settings.jobCache,
            webhookSigner: try webhookSigner(), storageBreaker: settings.storageBreaker, objects: opened.objects)
        api.redirectDownloads = settings.downloads == .redirect
        api.retention = settings.retention
        api.builtInPools = builtInPools
        api.drain = drain
        return SpoolAPI(
            store: opened.store, configuration: api, readiness: readiness, registry: registry, workSignal: workSignal,
            rateLimiter: opened.rateLimiter, logger: logger)
    }

    func application(_ api: SpoolAPI, services: [any Service], banner: @escaping @Sendable (Int) -> String)
        -> some Service
    {
        let port = configuration.api.port
        let announce = announce
        return APIServer(
            router: api.router(), listener: APIListener(host: configuration.api.host, port: port),
            services: services, eventLoopAnswers: api.eventLoopAnswers(), logger: logger,
            onServerRunning: { channel in announce(banner(channel.localAddress?.port ?? port)) })
    }

    func housekeeping(_ plan: TopologyPlan, leadership: Leadership) -> (any Service)? {
        guard let housekeeper = plan.housekeeper, let interval = plan.housekeepingInterval else { return nil }
        return HousekeepingService(
            store: opened.store, housekeeper: housekeeper,
            sweeper: AttemptJanitor(
                store: opened.store, layout: opened.layout, objects: opened.objects, logger: logger),
            leadership: leadership, interval: interval, waitFirst: plan.leadership == .alone, clock: ContinuousClock(),
            logger: logger)
    }

    /// Deletes expired jobs and their files while this process leads (the same processes that keep house).
    func retention(_ plan: TopologyPlan, leadership: Leadership) -> (any Service)? {
        guard plan.housekeeper != nil else { return nil }
        return RetentionService(
            store: opened.store, files: ExpiredFiles(objects: opened.objects, layout: opened.layout),
            leadership: leadership, interval: configuration.controlPlane.retentionSweep, clock: ContinuousClock(),
            logger: logger)
    }

    /// The embedded server is the only node: every worker registered by an earlier run died with it.
    func recoverEmbedded() async throws {
        let pass = try await HousekeepingService(
            store: opened.store, housekeeper: .embeddedStart,
            sweeper: AttemptJanitor(
                store: opened.store, layout: opened.layout, objects: opened.objects, logger: logger),
            leadership: .alone(),
            interval: .seconds(5), clock: ContinuousClock(), logger: logger
        ).pass(now: Date())
        let transitions = pass.recovered
        let report = pass.sweep ?? SweepReport()
        guard !transitions.isEmpty || !report.isEmpty else { return }
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

    func schedulerConfiguration() throws(StartupError) -> SchedulerConfiguration {
        let settings = configuration.controlPlane
        var scheduler = SchedulerConfiguration()
        if let file = settings.schedulerConfig {
            do {
                scheduler = try SchedulerConfiguration.load(from: file)
            } catch {
                throw .invalidSettings("\(error)")
            }
        }
        if let name = settings.schedulerProfile {
            guard let profile = SchedulingProfile.named(name) else {
                throw .invalidSettings("\(SchedulerConfigurationError.unknownProfile(name))")
            }
            scheduler.profile = profile
        }
        if scheduler.wakeGap == nil {
            scheduler.wakeGap = SchedulerConfiguration.defaultWakeGap(sharedStore: opened.redis != nil)
        }
        return scheduler
    }

    /// How the placement service prices moving inputs between clouds: from the autoscaler settings' egress prices,
    /// for a job of the length the pool manager assumes before it has measured one.
    func inputRouting() throws(StartupError) -> (@Sendable ([PoolSpec]) -> BatchRouting?)? {
        let settings = try autoscalerSettings()
        guard !settings.egressPerGB.isEmpty else { return nil }
        return { pools in settings.batchRouting(for: pools, jobSeconds: BatchRouting.assumedJobSeconds) }
    }

    func autoscalerSettings() throws(StartupError) -> AutoscalerSettings {
        guard let file = configuration.controlPlane.autoscalerConfig else { return AutoscalerSettings() }
        do {
            return try AutoscalerSettings.load(path: file)
        } catch {
            throw .invalidSettings("\(error)")
        }
    }

    /// The pool manager of a leading process; local workers are `child` for each pool and log under DATA/logs.
    func poolManager(
        child: ChildWorker, defaultActuator: ControlPlaneSettings.Actuator, shutdownGrace: Duration,
        leadership: Leadership
    ) throws(StartupError) -> PoolManagerService<ContinuousClock> {
        let logDirectory = URL(fileURLWithPath: opened.layout.root).appendingPathComponent("logs")
        try? FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let actuator: any ScalingActuator
        switch configuration.controlPlane.actuator ?? defaultActuator {
        case .local:
            actuator = LocalWorkerSupervisor(
                launch: .init(
                    executable: URL(fileURLWithPath: executable), arguments: { child.arguments(pool: $0) },
                    logDirectory: logDirectory))
        case .kubernetes:
            do {
                actuator = KubernetesScaleActuator(
                    configuration: try .inCluster(deploymentTemplate: configuration.controlPlane.kubernetesDeployment))
            } catch {
                throw .kubernetes(error.description)
            }
        case .gauge:
            actuator = DesiredWorkersGauge()
        }
        return PoolManagerService(
            store: opened.store, actuator: actuator, settings: try autoscalerSettings(), leadership: leadership,
            shutdownGrace: shutdownGrace, clock: ContinuousClock(), logger: logger)
    }

    func webhookSigner() throws(StartupError) -> WebhookSigner {
        do {
            return WebhookSigner(
                masterSecret: try WebhookMasterSecret.load(
                    environment: environment, file: configuration.webhooks.secretFile,
                    dataDirectory: opened.layout.root))
        } catch {
            throw .invalidSettings("\(error)")
        }
    }

    func webhookSender(allowPrivateNetworks: Bool) throws(StartupError) -> WebhookService<ContinuousClock> {
        let settings = configuration.webhooks
        return WebhookService(
            store: opened.store, signer: try webhookSigner(), layout: opened.layout,
            settings: WebhookSettings(
                retry: WebhookRetryPolicy(maxAttempts: settings.attempts),
                timeout: .milliseconds(Int64(settings.timeoutSeconds * 1000)),
                breakerFailures: settings.breakerFailures,
                breakerCoolDown: .milliseconds(Int64(settings.breakerCooldownSeconds * 1000)),
                allowPrivateNetworks: allowPrivateNetworks || settings.allowPrivateCallbacks),
            clock: ContinuousClock(), logger: logger)
    }

    func candidateName(_ prefix: String) -> String { "\(prefix)-\(ProcessInfo.processInfo.hostName)-\(getpid())" }

    public static let printLine: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// This executable, so local workers run the same build as the process that starts them.
    public static var currentExecutable: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
