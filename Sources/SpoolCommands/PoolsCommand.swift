import ArgumentParser
import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
import SpoolPools

struct Pools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, create, resize, drain, rebalance and destroy pools; show the autoscaler's decisions.",
        discussion: """
            A pool created here is sized by the autoscaler between --min and --max workers; the manager (or \
            `spool serve`) starts and stops its workers through the configured actuator. Pools of `spool serve` \
            and of workers started by hand are listed too, but not managed.

            Examples:
              spool pools create burst --kind cpu --min 0 --max 4
              spool pools create l4 --kind cuda --gpu-model L4 --requires-nvenc --max 8 --spot
              spool pools resize burst --max 8
              spool pools decisions burst
              spool pools import-history burst last-week.csv   # forecast from a known workload at once
              spool pools drain burst          # finish running jobs, then remove
              spool pools destroy burst --force
            """,
        subcommands: [
            ListPools.self, ShowPool.self, CreatePool.self, ResizePool.self, DrainPool.self, RebalancePool.self,
            DestroyPool.self, PoolDecisions.self, ImportPoolHistory.self,
        ],
        defaultSubcommand: ListPools.self)
}

struct ListPools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List pools and their capacity.")

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let pools = try await reportingErrors { try await client.pools() }
        if json { return try Terminal.printJSON(pools) }
        if pools.isEmpty { return print("no pools (no worker has registered and none was created)") }
        print(
            Terminal.table(
                ["pool", "kind", "workers", "want", "bounds", "state", "busy", "healthy", "what"],
                pools.map { pool in
                    [
                        pool.name, pool.kind.rawValue, "\(pool.workers)", pool.desiredWorkers.map { "\($0)" } ?? "-",
                        pool.spec.map { "\($0.minWorkers)–\($0.maxWorkers)" } ?? "-",
                        pool.spec?.phase.rawValue ?? "unmanaged", "\(pool.running)",
                        pool.health.map { "\($0.healthyWorkers)" } ?? "-", pool.summary,
                    ]
                }))
    }
}

struct ShowPool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One pool: spec, workers, health and the autoscaler's latest word.")

    @Argument(help: "The pool's name.") var name: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let pool = try await reportingErrors { try await client.pool(name) }
        if json { return try Terminal.printJSON(pool) }
        PoolPrinter.print(pool)
    }
}

struct CreatePool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a pool the autoscaler sizes between --min and --max workers.")

    @Argument(help: "Lower-case letters, digits and dashes.") var name: String
    @Option(help: "cpu, opencl, cuda or hybrid.") var kind: PoolKind
    @Option(help: "Fewest workers, kept even when idle.") var min: Int = 0
    @Option(help: "Most workers.") var max: Int
    @Option(help: "Catalog instance type new workers start as (price, boot time, slots).") var instanceType: String?
    @Flag(
        help: ArgumentHelp(
            "New workers may be spot (interruptible) instances: the pool gets a spot and an on-demand part, and "
                + "scale-ups go on-demand for a while after a spot interruption."))
    var spot = false
    @Option(help: "Jobs per worker (default: the worker chooses from its devices).") var slots: Int?
    @Option(
        help: ArgumentHelp(
            "Cloud the workers run in (aws, gcp, …).",
            discussion: "Prices come from that provider's catalog entries; with egress prices in the autoscaler "
                + "configuration, batch work counts for the pool where it costs least, transfer of its input included.")
    )
    var provider: String?
    @Option(help: "Region of the provider (needs --provider).") var region: String?
    @Option(name: .customLong("gpu-model"), help: "Only GPUs whose name contains this (repeatable).")
    var gpuModels: [String] = []
    @Option(help: "Only GPUs with at least this much memory, in MiB.") var minGpuMemory: Int?
    @Flag(help: "Only GPUs with an NVENC encoder.") var requiresNvenc = false
    @Option(help: "Jobs, waiting plus running, one worker should carry.") var backlogPerWorker: Double = 2
    @Option(help: "Scale up when the oldest job has waited this many seconds.") var targetWait: Double = 60
    @Option(help: "Seconds a lower recommendation must hold before scale-in.") var scaleDownWindow: Double = 300
    @Option(help: "Seconds after a scale-up before any scale-in.") var cooldown: Double = 60
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let request = PoolRequest(
            name: name, kind: kind,
            deviceSelector: DeviceSelector(
                models: gpuModels, minMemoryMiB: minGpuMemory, requiresEncoder: requiresNvenc),
            minWorkers: min, maxWorkers: max, instanceType: instanceType, spot: spot, slotsPerWorker: slots,
            scaling: PoolScalingTargets(
                backlogPerWorker: backlogPerWorker, targetWaitSeconds: targetWait,
                scaleDownStabilizationSeconds: scaleDownWindow, cooldownSeconds: cooldown),
            provider: provider, region: region)
        let pool = try await reportingErrors { try await client.createPool(request) }
        if json { return try Terminal.printJSON(pool) }
        print("created pool \(pool.name) (\(pool.kind.rawValue), \(min)–\(max) workers)")
    }
}

struct ResizePool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resize", abstract: "Change a pool's bounds; --workers N pins it at N.")

    @Argument var name: String
    @Option var min: Int?
    @Option var max: Int?
    @Option(help: "Exactly this many workers (sets both bounds).") var workers: Int?
    @OptionGroup var options: ClientOptions

    func validate() throws {
        if workers != nil, min != nil || max != nil {
            throw ValidationError("give --workers, or --min/--max, not both")
        }
        if workers == nil, min == nil, max == nil { throw ValidationError("give --min, --max or --workers") }
    }

    func run() async throws {
        let client = try options.adminClient
        let resize = PoolResize(minWorkers: workers ?? min, maxWorkers: workers ?? max)
        let pool = try await reportingErrors { try await client.resizePool(name, resize) }
        print("pool \(pool.name) now \(pool.spec?.minWorkers ?? 0)–\(pool.spec?.maxWorkers ?? 0) workers")
    }
}

struct ImportPoolHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-history",
        abstract: "Load a pool's demand history from a CSV file, so its seasonal forecast works at once.",
        discussion: """
            The autoscaler's forecast learns the pool's load per sample interval (15 minutes by default) and needs \
            two seasons (two days by default) of it before it forecasts. Importing a history, such as another \
            pool's or last week's, spares that warm-up. The file has one interval per line, start,peak: the \
            interval's start as an ISO 8601 time or seconds since 1970, and the most jobs waiting or running in it. \
            A header line, blank lines and # comments are skipped. Intervals already stored are replaced; those \
            older than two weeks are dropped.

            Example file:
              start,peak
              2026-12-01T09:00:00Z,12
              2026-12-01T09:15:00Z,31
            """)

    @Argument var name: String
    @Argument(help: "The CSV file: start,peak per line.") var file: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        let samples: [DemandSample]
        do {
            samples = try DemandHistoryCSV.parse(text)
        } catch {
            throw ValidationError("\(file), \(error)")
        }
        guard !samples.isEmpty else { throw ValidationError("\(file) holds no intervals") }
        let client = try options.adminClient
        let stored = try await reportingErrors { try await client.importDemandHistory(name, samples) }
        let span = stored.first.map { first in
            " from \(first.start.formatted(.iso8601)) to \(stored.last!.start.formatted(.iso8601))"
        }
        print("pool \(name): \(samples.count) interval(s) imported; \(stored.count) stored\(span ?? "")")
        print("its autoscaler forecasts from them at its next evaluation (spool pools decisions \(name))")
    }
}

struct DrainPool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Stop placing jobs on a pool, let running jobs finish, then stop its workers and remove it.")

    @Argument var name: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let pool = try await reportingErrors { try await client.drainPool(name) }
        print("pool \(pool.name) draining: \(pool.running) running job(s) finish, then it is removed")
    }
}

struct RebalancePool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebalance", abstract: "Move the jobs waiting for a pool to any pool that can take them.")

    @Argument var name: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let moved = try await reportingErrors { try await client.rebalancePool(name) }
        print("moved \(moved.count) waiting job(s) off pool \(name)")
    }
}

struct DestroyPool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Stop a pool's workers now and remove it; refused while jobs run unless --force.")

    @Argument var name: String
    @Flag(help: "Stop workers even with jobs running; those jobs go back to the queue (no failure counted).")
    var force = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let pool = try await reportingErrors { try await client.destroyPool(name, force: force) }
        print("pool \(pool.name) is being destroyed: its workers leave, waiting jobs move to other pools")
    }
}

struct PoolDecisions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decisions", abstract: "The autoscaler's decisions with their reasons, newest first.")

    @Argument(help: "A pool; all pools when left out.") var name: String?
    @Option(help: "How many.") var limit = 20
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.adminClient
        let events = try await reportingErrors { try await client.poolEvents(pool: name, limit: limit) }
        if json { return try Terminal.printJSON(events) }
        if events.isEmpty { return print("no decisions yet") }
        let time = ISO8601DateFormatter()
        for event in events {
            print("\(time.string(from: event.time))  \(event.pool)  \(event)")
        }
    }
}

enum PoolPrinter {
    static func print(_ pool: PoolView) {
        var lines = ["pool \(pool.name) (\(pool.kind.rawValue)): \(pool.summary)"]
        lines.append("  workers \(pool.workers), slots \(pool.slots), running \(pool.running)")
        if let spec = pool.spec {
            lines.append(
                "  managed: \(spec.phase.rawValue), \(spec.minWorkers)–\(spec.maxWorkers) workers"
                    + (pool.desiredWorkers.map { ", autoscaler wants \($0)" } ?? "")
                    + (spec.instanceType.map { ", \($0)" } ?? "") + (spec.spot ? " spot" : "")
                    + (spec.provider.map { " on \($0)" + (spec.region.map { " \($0)" } ?? "") } ?? ""))
        }
        if let health = pool.health {
            lines.append("  healthy workers \(health.healthyWorkers)")
            lines += health.issues.map { "  ! \($0)" }
        }
        if let event = pool.lastEvent { lines.append("  last: \(event)") }
        Swift.print(lines.joined(separator: "\n"))
    }
}
