import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import SpoolCore
import SpoolHTTP
import SpoolMedia
import SpoolSQLite
import SpoolWorker

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Spool on this machine: HTTP API, embedded SQLite store and local workers.",
        discussion: """
            Discovers ffmpeg, OpenCL devices and NVIDIA GPUs, creates the pools this machine can serve (cpu, opencl, \
            cuda, hybrid), recovers jobs left by a previous run, and serves the API. SIGTERM or Ctrl-C stops it \
            gracefully: workers stop taking jobs, finish or hand back what runs, and the process exits 0.

            Example:
              spool serve --data ./spool-data --input-root /srv/videos --port 7878
            """)

    @Option(help: "Directory for the database, uploads, work files and outputs.")
    var data = "./spool-data"

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one; the chosen port is printed).")
    var port = 7878

    @Option(name: .customLong("input-root"), help: "A directory file:// inputs may come from (repeatable).")
    var inputRoots: [String] = []

    @Flag(help: "Let http(s) inputs reach loopback, private and link-local addresses.")
    var allowPrivateNetworks = false

    @Option(help: "Largest upload or download accepted, in bytes.")
    var maxUploadBytes: Int64 = 4 << 30

    @Option(help: "Pools to run, comma-separated (default: every pool this machine can serve).")
    var pools: String?

    @Option(help: "Concurrent jobs of the cpu pool (default: one per core).")
    var cpuSlots: Int?

    @Option(help: "Seconds a job may make no progress before it is stopped.")
    var stallTimeout = 60

    @Option(help: "Hard cap on one attempt, in seconds.")
    var maxJobSeconds = 6 * 3600

    @Option(help: "Attempts per job for failures that may pass.")
    var maxAttempts = 3

    @Option(help: "Seconds without a heartbeat before a running job is given to another worker.")
    var leaseSeconds = 30

    @Option(help: "Seconds running jobs get to finish after SIGTERM before they are handed back.")
    var shutdownGrace = 20

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        for root in inputRoots where !root.hasPrefix("/") {
            throw ValidationError("--input-root takes absolute paths, got '\(root)'")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let logger = Logger(label: "spool")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let root = URL(fileURLWithPath: data).standardizedFileURL.path
        let layout = DataLayout(root: root)
        for directory in [layout.root, layout.uploads, layout.work, layout.outputs] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let lifecycle = JobLifecycle(retryPolicy: RetryPolicy(maxAttempts: maxAttempts))
        let store = try SQLiteJobStore(path: layout.database, lifecycle: lifecycle)

        let inventory: DeviceInventory
        do {
            inventory = try await DeviceDiscovery().discover()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode(1)
        }
        var planned = PoolPlanner.pools(for: inventory)
        if let pools {
            let wanted = Set(pools.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            let unknown = wanted.subtracting(planned.map(\.name))
            guard unknown.isEmpty else {
                Terminal.error(
                    "this machine cannot serve pool(s) \(unknown.sorted().joined(separator: ", ")); it can serve \(planned.map(\.name).joined(separator: ", "))"
                )
                throw ExitCode(1)
            }
            planned = planned.filter { wanted.contains($0.name) }
        }
        guard !planned.isEmpty else {
            Terminal.error("no pool can run here: ffmpeg lacks libx264/libx265 and no GPU or OpenCL device was found")
            throw ExitCode(1)
        }

        try await recover(store: store, layout: layout, logger: logger)

        let inputPolicy = InputPolicy(
            inputRoots: inputRoots, allowPrivateNetworks: allowPrivateNetworks, maxUploadBytes: maxUploadBytes)
        let workSignal = WorkSignal()
        let workers = planned.map { pool in
            TranscodeWorker(
                store: store, configuration: workerConfiguration(for: pool, inventory: inventory, all: planned),
                inventory: inventory, layout: layout, inputPolicy: inputPolicy, workSignal: workSignal,
                clock: ContinuousClock(), logger: logger
            )
        }
        let expectedWorkers = workers.count
        let ffmpegVersion = inventory.ffmpeg.ffmpegVersion
        let reaper = LeaseReaper(store: store, layout: layout, clock: ContinuousClock(), logger: logger)
        let api = SpoolAPI(
            store: store, configuration: APIConfiguration(layout: layout, inputPolicy: inputPolicy),
            readiness: ReadinessChecks([
                "ffmpeg": { ffmpegVersion.isEmpty ? "ffmpeg was not probed" : nil },
                "workers": {
                    // Ready once every local worker has registered, so a client that waits for /ready sees all pools.
                    let registered = (try? await store.workers().count) ?? 0
                    return registered >= expectedWorkers ? nil : "\(registered) of \(expectedWorkers) workers registered"
                }
            ]), registry: registry, workSignal: workSignal)
        let services: [any Service] = workers + [reaper]
        let poolNames = planned.map(\.name).joined(separator: ", ")
        let app = Application(
            router: api.router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "spool"),
            services: services,
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                let line = "spool serving http://\(host):\(bound) (data \(layout.root); pools \(poolNames))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            },
            logger: logger)
        try await app.runService()
    }

    /// The embedded server is the only node: every worker registered by an earlier run died with it.
    func recover(store: SQLiteJobStore, layout: DataLayout, logger: Logger) async throws {
        let previous = try await store.workers()
        let transitions = try await store.recoverLeases(now: Date(), deadWorkers: Set(previous.map(\.id)))
        for worker in previous { try await store.removeWorker(worker.id) }
        let report = try await AttemptJanitor(store: store, layout: layout, logger: logger).sweep(staleUploadAge: nil)
        if !transitions.isEmpty || report.isEmpty == false {
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

    func workerConfiguration(for pool: PoolDescriptor, inventory: DeviceInventory, all: [PoolDescriptor])
        -> WorkerConfiguration
    {
        let hasCPU = all.contains { $0.kind == .cpu }
        let slots: Int
        let acceptsUnpinned: Bool
        switch pool.kind {
        case .cpu:
            slots = cpuSlots ?? max(1, inventory.cpuCores)
            acceptsUnpinned = true
        case .opencl:
            slots = 1
            acceptsUnpinned = !hasCPU
        case .cuda, .hybrid:
            slots = max(1, inventory.gpus.count * 2)
            acceptsUnpinned = pool.kind == .hybrid || !hasCPU
        }
        return WorkerConfiguration(
            pool: pool, slots: slots, acceptsUnpinned: acceptsUnpinned, leaseDuration: .seconds(leaseSeconds),
            stallTimeout: .seconds(stallTimeout), hardCap: .seconds(maxJobSeconds),
            shutdownGrace: .seconds(shutdownGrace),
            threadsPerOutput: pool.kind == .cpu ? 1 : nil)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
