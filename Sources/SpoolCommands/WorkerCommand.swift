import ArgumentParser
import Foundation
import SpoolCore
import SpoolRuntime

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
    @OptionGroup var ops: OpsOptions

    @Option(help: "The pool to serve: cpu, opencl, cuda or hybrid, or a pool created with `spool pools create`.")
    var pool: String

    @Option(help: "Jobs at once (default: one per core on cpu, one on opencl, two per GPU).")
    var slots: Int?

    @Option(name: .customLong("input-root"), help: "A directory file:// inputs may come from (repeatable).")
    var inputRoots: [String] = []

    @Option(
        name: .customLong("input-bucket"),
        help: "A bucket whose objects the administrator's jobs may name as s3:// inputs (repeatable).")
    var inputBuckets: [String] = []

    @Flag(help: "Let http(s) inputs reach loopback, private and link-local addresses.")
    var allowPrivateNetworks = false

    @Flag(help: "Drain and exit when the process that started this worker exits (set by autoscaling supervisors).")
    var exitWithParent = false

    func run() async throws {
        let (logger, registry, traces) = Runtime.bootstrap(process, serviceName: "spool-worker")
        var api = APISettings()
        api.inputBuckets = inputBuckets
        let configuration = try store.runtime(RuntimeConfiguration(worker: worker.settings, api: api))
        let opened = try OpenedStore.open(configuration)
        let inventory = try await Runtime.discover()
        let listener = try ops.listener()
        let assembled = try await Runtime.starting {
            try await ProcessAssembly(
                configuration: configuration, opened: opened, environment: ProcessInfo.processInfo.environment,
                registry: registry, logger: logger
            ).worker(
                pool: pool, slots: slots, inventory: inventory,
                inputPolicy: InputPolicy(inputRoots: inputRoots, allowPrivateNetworks: allowPrivateNetworks),
                ops: listener, capacityType: configuration.worker.capacityType)
        }
        if exitWithParent { Self.watchParent() }
        try await Runtime.run(assembled.services, traces: traces, logger: logger)
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
