import Foundation
import Logging
import ServiceLifecycle
import SpoolControlPlane
import SpoolCore
import SpoolInputs
import SpoolMedia
import SpoolStorage
import Synchronization
import Tracing

/// A worker of one pool: `slots` loops that each claim a job, run it, and look for the next. On graceful shutdown it
/// stops claiming at once, lets running jobs finish within the grace period, then hands the rest back.
public final class TranscodeWorker<C: Clock>: Service where C.Duration == Duration {
    public let id: WorkerID
    let store: any WorkerStore
    let configuration: WorkerConfiguration
    let inventory: DeviceInventory
    let runner: AttemptRunner<C>
    let tools: MediaTools
    let clock: C
    let logger: Logger
    let workSignal: WorkSignal?
    /// Wakes this worker's idle slots one at a time: news from `workSignal` wakes one slot, and a slot that claims a
    /// job passes it on, since more may be waiting. A slot that finds nothing lets the others sleep.
    let slotBaton = WorkSignal()
    /// Fresh GPU figures for each registration; nil on hosts without NVIDIA GPUs.
    let gpuMetrics: (@Sendable () async -> [GPUDevice])?
    /// Fencing and self-tests of this host's GPUs; nil without GPUs.
    let health: GPUHealthMonitor?
    /// Each GPU's power as registrations read it, for the energy of the attempts on it; nil without GPUs.
    let powerLog: GPUPowerLog?
    let observations = GPUMemoryObservations()
    /// Downloaded inputs kept for this worker's attempts, and the loop that fills it ahead of time.
    let inputCache: InputCache?
    let warmer: InputWarmer?
    private let state = Mutex(WorkerState())
    let disk: DiskSpace
    /// Where this worker's file:// inputs may come from, told to the registry.
    let inputRoots: [String]

    struct WorkerState {
        var shuttingDown = false
        /// The registration that tells the scheduler this worker drains; awaited before the worker deregisters, or
        /// it could land after and leave an entry behind.
        var drainAnnouncement: Task<Void, Never>?
        var running: [JobID: Task<Void, Never>] = [:]
        /// Where the running jobs were placed, for the device gauges (the sessions each GPU's jobs hold).
        var placements: [JobID: JobPlacement] = [:]
        /// Attempts that ended before their slot loop recorded them (a fast failure can win that race).
        var endedEarly: Set<JobID> = []
        var diskFull = false

        mutating func start(_ job: JobID, _ task: Task<Void, Never>, placement: JobPlacement?) {
            if endedEarly.remove(job) == nil {
                running[job] = task
                placements[job] = placement
            }
        }

        mutating func finish(_ job: JobID) {
            placements.removeValue(forKey: job)
            if running.removeValue(forKey: job) == nil { endedEarly.insert(job) }
        }
    }

    public init(
        store: any WorkerStore, configuration: WorkerConfiguration, inventory: DeviceInventory, layout: DataLayout,
        inputPolicy: InputPolicy, sharedCache: (any SharedCache)? = nil, tools: MediaTools = MediaTools(),
        workSignal: WorkSignal? = nil, objects: (any ObjectStorage)? = nil,
        objectInputs: (any ObjectInputReading)? = nil,
        gpuMetrics: (@Sendable () async -> [GPUDevice])? = nil,
        gpuProcessMemory: (@Sendable () async -> [Int32: Int])? = nil, schedulerWakeUp: WorkSignal? = nil,
        clock: C, logger: Logger
    ) {
        self.workSignal = workSignal
        self.gpuMetrics = inventory.gpus.isEmpty ? nil : gpuMetrics
        self.id = WorkerID.generate(pool: configuration.pool.name)
        self.store = store
        self.configuration = configuration
        self.inventory = inventory
        self.clock = clock
        var logger = logger
        logger[metadataKey: "worker"] = "\(id)"
        self.logger = logger
        let health = inventory.gpus.isEmpty ? nil : GPUHealthMonitor(gpus: inventory.gpus.map(\.index))
        self.health = health
        self.tools = tools
        self.disk = DiskSpace(path: layout.root)
        self.inputRoots = inputPolicy.inputRoots
        var runner = AttemptRunner(
            store: store, configuration: configuration, inventory: inventory, files: AttemptFiles(layout: layout),
            inputAccess: InputAccess(policy: inputPolicy, layout: layout), tools: tools, clock: clock, logger: logger)
        runner.health = health
        runner.observations = observations
        runner.sharedCache = sharedCache
        runner.objectInputs = objectInputs
        runner.schedulerWakeUp = schedulerWakeUp
        if let objects, !AttemptObjects.isLocal(objects, layout: layout) {
            runner.remote = AttemptObjects(objects: objects, layout: layout)
        }
        let inputCache =
            configuration.inputCacheBytes > 0
            ? try? InputCache(
                directory: configuration.inputCacheDirectory + "/" + id.rawValue,
                budgetBytes: configuration.inputCacheBytes)
            : nil
        self.inputCache = inputCache
        runner.inputCache = inputCache
        let workerID = id
        warmer = inputCache.map { cache in
            InputWarmer(
                worker: workerID, pool: configuration.pool.name, store: store, cache: cache,
                fetcher: InputFetcher(access: InputAccess(policy: inputPolicy, layout: layout)),
                perRound: configuration.slots, logger: logger)
        }
        runner.gpuProcessMemory = inventory.gpus.isEmpty ? nil : gpuProcessMemory
        let powerLog = inventory.gpus.isEmpty ? nil : GPUPowerLog()
        powerLog?.record(inventory.gpus)
        self.powerLog = powerLog
        runner.powerLog = powerLog
        self.runner = runner
    }

    private let startedAt = Mutex(Date())
    /// The encode run at start; a worker that failed it registers (so its pool's health shows why) but takes no job.
    private let selfTestResult = Mutex<WorkerSelfTest?>(nil)
    var selfTestPassed: Bool { selfTestResult.withLock { $0?.passed ?? true } }

    /// Why this worker cannot take jobs now, for `/ready` on its ops port; nil when it can.
    public var readinessProblem: String? {
        guard let selfTest = selfTestResult.withLock({ $0 }) else { return "the encode self-test has not run yet" }
        guard selfTest.passed else {
            return "the encode self-test failed, so this worker takes no jobs: \(selfTest.detail)"
        }
        if isShuttingDown { return "draining: finishing its jobs before it stops" }
        return disk.problem
    }

    public func run() async throws {
        let started = Date()
        startedAt.withLock { $0 = started }
        let selfTest = await EncodeSelfTest.run(kind: configuration.pool.kind, gpus: inventory.gpus, tools: tools)
        selfTestResult.withLock { $0 = selfTest }
        if !selfTest.passed {
            logger.error(
                "the encode self-test failed; this worker takes no jobs", metadata: ["detail": "\(selfTest.detail)"])
        }
        try await register(startedAt: started)
        logger.info(
            "worker started",
            metadata: [
                "pool": "\(configuration.pool.name)", "kind": "\(configuration.pool.kind)",
                "slots": "\(configuration.slots)",
            ])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<configuration.slots {
                    group.addTask { await self.slotLoop() }
                }
                if let workSignal { group.addTask { await self.relayWakeUps(from: workSignal) } }
                group.addTask { await self.registrationLoop(startedAt: started) }
                if let warmer { group.addTask { await self.warmingLoop(warmer) } }
                // The slot loops end on shutdown; then the registration loop is no longer needed.
                for _ in 0..<configuration.slots { await group.next() }
                // Attempts still validating or committing finish before the worker deregisters.
                for attempt in state.withLock({ Array($0.running.values) }) { await attempt.value }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        await state.withLock { $0.drainAnnouncement }?.value
        await deregister()
        if let inputCache { try? FileManager.default.removeItem(atPath: inputCache.directory) }
        logger.info("worker stopped")
    }

    /// Leaves the registry. A busy store (SQLite locked by another process, Redis failing over) is tried again for a
    /// few seconds: an entry left behind reads as a live worker until the housekeeper's timeout.
    func deregister() async {
        for attempt in 1...10 {
            do {
                try await store.removeWorker(id)
                return
            } catch {
                if attempt == 10 {
                    logger.warning(
                        "could not leave the worker registry; the housekeeper removes the entry after its timeout",
                        metadata: ["error": "\(error)"])
                    return
                }
                try? await clock.sleep(for: .milliseconds(100 * attempt))
            }
        }
    }

    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Takes a job, runs it until its transcode ends (validation and the commit go on in the background), and takes
    /// the next; sleeps for the poll interval (or until work arrives) when there is none. Ends at shutdown.
    func slotLoop() async {
        await runPeriodically(
            every: configuration.pollInterval, clock: clock, wakeUp: slotBaton, lifetime: .untilShutdown,
            logger: logger, failure: "claim failed; retrying"
        ) {
            if isShuttingDown { return .stop }
            // A claim that finds nothing is no span (the slot polls); one that finds a job opens the job's attempt.
            let claimedSince = DefaultTracerClock.now
            guard selfTestPassed, !diskIsFull(), let job = try await claim() else { return .wait }
            slotBaton.notifyOne()
            // The slot is free again once ffmpeg exits; validation and the commit finish in the background.
            let (slotFreed, freeSlot) = AsyncStream.makeStream(of: Void.self)
            let task = Task {
                await runner.run(job, claimedSince: claimedSince, transcodeFinished: { freeSlot.finish() })
                freeSlot.finish()
                state.withLock { $0.finish(job.id) }
            }
            state.withLock { $0.start(job.id, task, placement: job.placement) }
            for await _ in slotFreed {}
            return .again
        }
    }

    /// Turns each wake-up from outside (a placement here, a submission in this process) into one slot's wake-up.
    func relayWakeUps(from signal: WorkSignal) async {
        while !Task.isCancelled, !isShuttingDown {
            await signal.wait()
            slotBaton.notifyOne()
        }
    }

    /// A worker whose data folder is full takes nothing (and registers as draining, so nothing is placed on it) until
    /// space returns; saying so once per episode.
    func diskIsFull() -> Bool {
        let problem = disk.problem
        let changed = state.withLock { state in
            defer { state.diskFull = problem != nil }
            return state.diskFull != (problem != nil)
        }
        if changed {
            if let problem {
                logger.warning("taking no jobs: \(problem)")
            } else {
                logger.notice("the data folder has space again; taking jobs")
            }
        }
        return problem != nil
    }

    /// The next job for this worker: the one the scheduler placed here, or (pull dispatch) the pool's best.
    func claim() async throws -> Job? {
        switch configuration.dispatch {
        case .placed:
            return try await store.claimPlaced(
                worker: id, pool: configuration.pool.name, leaseDuration: configuration.leaseDuration, now: Date())
        case .pull:
            // A manager may run beside pull workers and place jobs on them too: those come first, or they would wait
            // for ever on a worker that never looks at its placements.
            if let placed = try await store.claimPlaced(
                worker: id, pool: configuration.pool.name, leaseDuration: configuration.leaseDuration, now: Date())
            {
                return placed
            }
            return try await store.claimNext(
                worker: id, pool: configuration.pool.name, acceptsUnpinned: configuration.acceptsUnpinned,
                leaseDuration: configuration.leaseDuration, now: Date())
        }
    }

    func beginShutdown() {
        // Tell the scheduler at once, so nothing more is placed here while running jobs finish. The flag and the
        // task's handle are set together, so the task announces "draining" and `run` always finds it to await.
        state.withLock {
            $0.shuttingDown = true
            $0.drainAnnouncement = Task { _ = try? await register(startedAt: startedAt.withLock { $0 }) }
        }
        let grace = configuration.shutdownGrace
        let logger = logger
        Task {
            try? await clock.sleep(for: grace)
            let leftovers = state.withLock { Array($0.running.values) }
            if !leftovers.isEmpty {
                logger.notice("grace period over; handing back running jobs", metadata: ["count": "\(leftovers.count)"])
            }
            leftovers.forEach { $0.cancel() }
        }
    }

    /// Heartbeats the registration (and re-tests fenced GPUs) until the worker deregisters: it goes on through the
    /// drain, so the scheduler sees this worker draining rather than dead.
    func registrationLoop(startedAt: Date) async {
        await runPeriodically(
            every: configuration.registrationInterval, clock: clock, waitFirst: true, lifetime: .untilCancelled,
            logger: logger, failure: "registration failed; retrying"
        ) {
            await selfTestFencedGPUs()
            try await register(startedAt: startedAt)
            return .wait
        }
    }

    /// Prefetches for waiting jobs while the worker runs; a fetched input is reported at once, so the scheduler can
    /// place its job here.
    func warmingLoop(_ warmer: InputWarmer) async {
        await runPeriodically(
            every: configuration.registrationInterval, clock: clock, lifetime: .untilShutdown, logger: logger,
            failure: "input warming failed; retrying"
        ) {
            if isShuttingDown { return .stop }
            let slotsFree = state.withLock { $0.running.count } < configuration.slots
            if !(await warmer.warm(slotsFree: slotsFree)).isEmpty {
                try await register(startedAt: startedAt.withLock { $0 })
            }
            return .wait
        }
    }

    func register(startedAt: Date) async throws {
        let (running, draining, placements) = state.withLock {
            (Array($0.running.keys).sorted(), $0.shuttingDown, Array($0.placements.values))
        }
        var devices = inventory
        if let gpuMetrics {
            let fresh = await gpuMetrics()
            if !fresh.isEmpty { devices.gpus = fresh }
            powerLog?.record(fresh)
        }
        DeviceGauges.record(
            DeviceGauges.readings(
                worker: id, inventory: devices, fenced: health?.fenced ?? [:], placements: placements,
                slots: configuration.slots))
        try await store.upsertWorker(
            WorkerRecord(
                id: id, pool: configuration.pool.name, poolKind: configuration.pool.kind, host: inventory.host,
                pid: ProcessInfo.processInfo.processIdentifier, slots: configuration.slots, running: running,
                devices: devices, startedAt: startedAt, heartbeatAt: Date(),
                acceptsUnpinned: configuration.acceptsUnpinned, draining: draining || !selfTestPassed || diskIsFull(),
                fencedGPUs: health?.fenced ?? [:], gpuMemoryObservations: observations.latest,
                selfTest: selfTestResult.withLock { $0 }, cachedInputs: inputCache?.held() ?? [],
                inputRoots: inputRoots, capacity: configuration.capacityPrice, capacityType: configuration.capacityType)
        )
    }

    /// Fenced GPUs whose backoff ended get a short test encode; a pass re-admits them.
    func selfTestFencedGPUs() async {
        guard let health else { return }
        for gpu in health.dueForSelfTest(now: Date()) {
            let canEncode = inventory.gpus.first { $0.index == gpu }?.engines.canEncode ?? false
            if let failure = await GPUSelfTest.run(gpu: gpu, canEncode: canEncode, tools: tools) {
                health.record(.selfTestFailed(reason: failure), gpu: gpu, now: Date())
                logger.warning(
                    "GPU self-test failed; still fenced", metadata: ["gpu": "\(gpu)", "reason": "\(failure)"])
            } else {
                health.record(.selfTestPassed, gpu: gpu, now: Date())
                logger.notice("GPU self-test passed; placing on it again", metadata: ["gpu": "\(gpu)"])
            }
        }
    }
}
