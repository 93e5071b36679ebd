import ArgumentParser
import Foundation
import SpoolCore
import SpoolRuntime
import SpoolWorker

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one worker of a pool: register, heartbeat, take jobs, report progress, commit results.",
        discussion: """
            The worker discovers its devices and refuses a pool kind it cannot serve. It runs the jobs the leading \
            `spool manager` places on it (--dispatch pull: it takes its pool's best queued job itself). SIGTERM \
            stops it taking jobs at once; running jobs get --shutdown-grace seconds, then go back to the queue; it \
            exits 0.

            Example:
              spool worker --redis redis://127.0.0.1:6379 --data /mnt/spool --pool cpu --slots 2
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var worker: WorkerOptions
    @OptionGroup var process: ProcessOptions

    @Option(help: "The pool to serve: cpu, opencl, cuda or hybrid, or a pool created with `spool pools create`.")
    var pool: String

    @Option(help: "Jobs at once (default: one per core on cpu, one on opencl, two per GPU).")
    var slots: Int?

    @Option(name: .customLong("input-root"), help: "A directory file:// inputs may come from (repeatable).")
    var inputRoots: [String] = []

    @Flag(help: "Let http(s) inputs reach loopback, private and link-local addresses.")
    var allowPrivateNetworks = false

    @Flag(help: "Drain and exit when the process that started this worker exits (set by autoscaling supervisors).")
    var exitWithParent = false

    func run() async throws {
        let (logger, _) = Runtime.bootstrap(process)
        let opened = try store.open(worker: worker.settings)
        var inventory = try await Runtime.discover()
        let configuration: WorkerConfiguration
        if let managed = try await opened.store.pool(named: pool) {
            // A pool created through the API: its spec says the kind, the devices and the slots.
            guard managed.phase == .active else {
                Terminal.error("pool \(pool) is \(managed.phase.rawValue) and takes no new workers")
                throw ExitCode(1)
            }
            inventory = managed.deviceSelector.narrow(inventory)
            let servable = PoolPlanner.pools(for: inventory)
            guard let base = servable.first(where: { $0.kind == managed.kind }) else {
                Terminal.error(
                    "this machine cannot serve pool \(pool) (kind \(managed.kind.rawValue)"
                        + (managed.deviceSelector.isEmpty ? "" : ", with the GPUs its device selector allows")
                        + "); it can serve: \(servable.map(\.kind.rawValue).joined(separator: ", "))")
                throw ExitCode(1)
            }
            var managedConfiguration = opened.runtime.worker.configuration(
                for: PoolDescriptor(name: managed.name, kind: managed.kind, summary: base.summary),
                inventory: inventory, all: servable, slots: slots ?? managed.slotsPerWorker)
            managedConfiguration.acceptsUnpinned = true
            configuration = managedConfiguration
        } else {
            let planned = try Runtime.pools(for: inventory, wanted: pool)
            configuration = opened.runtime.worker.configuration(
                for: planned[0], inventory: inventory, all: PoolPlanner.pools(for: inventory), slots: slots)
        }
        let transcoder = TranscodeWorker(
            store: opened.store, configuration: configuration, inventory: inventory, layout: opened.layout,
            inputPolicy: InputPolicy(inputRoots: inputRoots, allowPrivateNetworks: allowPrivateNetworks),
            sharedCache: opened.sharedCache,
            gpuMetrics: Runtime.gpuMetrics,
            gpuProcessMemory: Runtime.gpuProcessMemory, clock: ContinuousClock(), logger: logger)
        Runtime.announce("spool worker \(transcoder.id) (pool \(pool), \(configuration.slots) slots)")
        if configuration.dispatch == .placed {
            Runtime.announce(
                "takes the jobs a scheduler places on it: run `spool manager` against the same store "
                    + "(or start workers with --dispatch pull to go without)")
        }
        if exitWithParent { Self.watchParent() }
        try await Runtime.run([transcoder], logger: logger)
        await opened.redis?.close()
    }

    /// A worker whose supervisor died (kill -9) would otherwise run on unsupervised; once it is re-parented it stops
    /// gracefully, as on SIGTERM, handing back what it cannot finish.
    static func watchParent() {
        let parent = getppid()
        Task.detached {
            while getppid() == parent { try? await Task.sleep(for: .seconds(1)) }
            kill(getpid(), SIGTERM)
        }
    }
}
