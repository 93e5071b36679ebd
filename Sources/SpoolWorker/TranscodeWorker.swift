import Foundation
import Logging
import ServiceLifecycle
import SpoolCore
import SpoolInputs
import SpoolMedia
import Synchronization

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
    /// Fresh GPU figures for each registration; nil on hosts without NVIDIA GPUs.
    let gpuMetrics: (@Sendable () async -> [GPUDevice])?
    /// Fencing and self-tests of this host's GPUs; nil without GPUs.
    let health: GPUHealthMonitor?
    let observations = GPUMemoryObservations()
    /// Downloaded inputs kept for this worker's attempts, and the loop that fills it ahead of time.
    let inputCache: InputCache?
    let warmer: InputWarmer?
    private let state = Mutex(WorkerState())

    struct WorkerState {
        var shuttingDown = false
        var running: [JobID: Task<Void, Never>] = [:]
        /// Attempts that ended before their slot loop recorded them (a fast failure can win that race).
        var endedEarly: Set<JobID> = []

        mutating func start(_ job: JobID, _ task: Task<Void, Never>) {
            if endedEarly.remove(job) == nil { running[job] = task }
        }

        mutating func finish(_ job: JobID) {
            if running.removeValue(forKey: job) == nil { endedEarly.insert(job) }
        }
    }

    public init(
        store: any WorkerStore, configuration: WorkerConfiguration, inventory: DeviceInventory, layout: DataLayout,
        inputPolicy: InputPolicy, sharedCache: (any SharedCache)? = nil, tools: MediaTools = MediaTools(),
        workSignal: WorkSignal? = nil,
        gpuMetrics: (@Sendable () async -> [GPUDevice])? = nil,
        gpuProcessMemory: (@Sendable () async -> [Int32: Int])? = nil, clock: C, logger: Logger
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
        var runner = AttemptRunner(
            store: store, configuration: configuration, inventory: inventory, files: AttemptFiles(layout: layout),
            inputAccess: InputAccess(policy: inputPolicy, layout: layout), tools: tools, clock: clock, logger: logger)
        runner.health = health
        runner.observations = observations
        runner.sharedCache = sharedCache
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
        self.runner = runner
    }

    private let startedAt = Mutex(Date())
    /// The encode run at start; a worker that failed it registers (so its pool's health shows why) but takes no job.
    private let selfTestResult = Mutex<WorkerSelfTest?>(nil)
    var selfTestPassed: Bool { selfTestResult.withLock { $0?.passed ?? true } }

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
        try? await store.removeWorker(id)
        if let inputCache { try? FileManager.default.removeItem(atPath: inputCache.directory) }
        logger.info("worker stopped")
    }

    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    func slotLoop() async {
        while !isShuttingDown {
            guard selfTestPassed else {
                await idle()
                continue
            }
            let job: Job?
            do {
                switch configuration.dispatch {
                case .placed:
                    job = try await store.claimPlaced(
                        worker: id, pool: configuration.pool.name, leaseDuration: configuration.leaseDuration,
                        now: Date())
                case .pull:
                    job = try await store.claimNext(
                        worker: id, pool: configuration.pool.name, acceptsUnpinned: configuration.acceptsUnpinned,
                        leaseDuration: configuration.leaseDuration, now: Date())
                }
            } catch {
                logger.warning("claim failed; retrying", metadata: ["error": "\(error)"])
                job = nil
            }
            guard let job else {
                await idle()
                continue
            }
            // The slot is free again once ffmpeg exits; validation and the commit finish in the background.
            let (slotFreed, freeSlot) = AsyncStream.makeStream(of: Void.self)
            let task = Task {
                await runner.run(job, transcodeFinished: { freeSlot.finish() })
                freeSlot.finish()
                state.withLock { $0.finish(job.id) }
            }
            state.withLock { $0.start(job.id, task) }
            for await _ in slotFreed {}
        }
    }

    /// Waits for the poll interval, or less when this process is told that work arrived.
    func idle() async {
        let clock = clock
        let interval = configuration.pollInterval
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(for: interval) }
            if let workSignal { group.addTask { await workSignal.wait() } }
            await group.next()
            group.cancelAll()
        }
    }

    func beginShutdown() {
        state.withLock { $0.shuttingDown = true }
        // Tell the scheduler at once, so nothing more is placed here while running jobs finish.
        Task { try? await register(startedAt: startedAt.withLock { $0 }) }
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

    func registrationLoop(startedAt: Date) async {
        while !Task.isCancelled {
            try? await clock.sleep(for: configuration.registrationInterval)
            if Task.isCancelled { break }
            await selfTestFencedGPUs()
            try? await register(startedAt: startedAt)
        }
    }

    /// Prefetches for waiting jobs while the worker runs; a fetched input is reported at once, so the scheduler can
    /// place its job here.
    func warmingLoop(_ warmer: InputWarmer) async {
        while !Task.isCancelled && !isShuttingDown {
            let slotsFree = state.withLock { $0.running.count } < configuration.slots
            if !(await warmer.warm(slotsFree: slotsFree)).isEmpty {
                try? await register(startedAt: startedAt.withLock { $0 })
            }
            try? await clock.sleep(for: configuration.registrationInterval)
        }
    }

    func register(startedAt: Date) async throws {
        let (running, draining) = state.withLock { (Array($0.running.keys).sorted(), $0.shuttingDown) }
        var devices = inventory
        if let gpuMetrics {
            let fresh = await gpuMetrics()
            if !fresh.isEmpty { devices.gpus = fresh }
        }
        try await store.upsertWorker(
            WorkerRecord(
                id: id, pool: configuration.pool.name, poolKind: configuration.pool.kind, host: inventory.host,
                pid: ProcessInfo.processInfo.processIdentifier, slots: configuration.slots, running: running,
                devices: devices, startedAt: startedAt, heartbeatAt: Date(),
                acceptsUnpinned: configuration.acceptsUnpinned, draining: draining || !selfTestPassed,
                fencedGPUs: health?.fenced ?? [:], gpuMemoryObservations: observations.latest,
                selfTest: selfTestResult.withLock { $0 }, cachedInputs: inputCache?.held() ?? []))
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
