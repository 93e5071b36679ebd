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
    let store: any JobStore
    let configuration: WorkerConfiguration
    let inventory: DeviceInventory
    let runner: AttemptRunner<C>
    let clock: C
    let logger: Logger
    private let state = Mutex(WorkerState())

    struct WorkerState {
        var shuttingDown = false
        var running: [JobID: Task<Void, Never>] = [:]
    }

    public init(
        store: any JobStore, configuration: WorkerConfiguration, inventory: DeviceInventory, layout: DataLayout,
        inputPolicy: InputPolicy, tools: MediaTools = MediaTools(), clock: C, logger: Logger
    ) {
        self.id = WorkerID.generate(pool: configuration.pool.name)
        self.store = store
        self.configuration = configuration
        self.inventory = inventory
        self.clock = clock
        var logger = logger
        logger[metadataKey: "worker"] = "\(id)"
        self.logger = logger
        self.runner = AttemptRunner(
            store: store, configuration: configuration, inventory: inventory, files: AttemptFiles(layout: layout),
            inputAccess: InputAccess(policy: inputPolicy, layout: layout), tools: tools, clock: clock, logger: logger)
    }

    public func run() async throws {
        let started = Date()
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
                // The slot loops end on shutdown; then the registration loop is no longer needed.
                for _ in 0..<configuration.slots { await group.next() }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        try? await store.removeWorker(id)
        logger.info("worker stopped")
    }

    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    func slotLoop() async {
        while !isShuttingDown {
            let job: Job?
            do {
                job = try await store.claimNext(
                    worker: id, pool: configuration.pool.name, acceptsUnpinned: configuration.acceptsUnpinned,
                    leaseDuration: configuration.leaseDuration, now: Date())
            } catch {
                logger.warning("claim failed; retrying", metadata: ["error": "\(error)"])
                job = nil
            }
            guard let job else {
                try? await clock.sleep(for: configuration.pollInterval)
                continue
            }
            let task = Task { await runner.run(job) }
            state.withLock { $0.running[job.id] = task }
            await task.value
            _ = state.withLock { $0.running.removeValue(forKey: job.id) }
        }
    }

    func beginShutdown() {
        state.withLock { $0.shuttingDown = true }
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
            try? await register(startedAt: startedAt)
        }
    }

    func register(startedAt: Date) async throws {
        let running = state.withLock { Array($0.running.keys) }.sorted()
        try await store.upsertWorker(
            WorkerRecord(
                id: id, pool: configuration.pool.name, poolKind: configuration.pool.kind, host: inventory.host,
                pid: ProcessInfo.processInfo.processIdentifier, slots: configuration.slots, running: running,
                devices: inventory, startedAt: startedAt, heartbeatAt: Date()))
    }
}
