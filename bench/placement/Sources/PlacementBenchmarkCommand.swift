import ArgumentParser
import Foundation
import SpoolScheduling

@main
struct PlacementBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool-bench-placement",
        abstract: "Measure Spool's placement: the pure scheduling cycle, or committed through Redis.",
        discussion: """
            Prints one JSON line per measurement on stdout. bench/placement/run drives it and compares with Ray.

            Examples:
              spool-bench-placement --workers 1000 --jobs 20000 --mode pure
              spool-bench-placement --workers 1000 --jobs 5000 --mode redis --redis redis://127.0.0.1:6379
              spool-bench-placement --compare-strategies --workers 1000 --jobs 10000
            """)

    enum Mode: String, ExpressibleByArgument {
        case pure
        case redis
    }

    @Option(help: "Modelled workers (two L4s, one T4 or two H200s each).") var workers = 1000
    @Option(help: "Jobs to place.") var jobs = 20000
    @Option(help: "pure: the cycle alone; redis: read, place and commit through Redis.") var mode: Mode = .pure
    @Option(help: "Jobs per scheduling cycle.") var batch = 256
    @Option(help: "Placement profile for pure and redis runs.") var profile = "seed"
    @Option(help: "Redis for --mode redis.") var redis = "redis://127.0.0.1:6379"
    @Flag(help: "Run one job stream under the seed, best-fit, first-fit and power-of-two profiles.")
    var compareStrategies = false
    @Option(help: "With --compare-strategies: jobs arriving per tick, per worker.") var arrivalsPerWorker = 4.0

    func run() async throws {
        if compareStrategies {
            return try StrategyComparison.run(workers: workers, jobs: jobs, arrivalsPerWorker: arrivalsPerWorker)
        }
        guard let chosen = SchedulingProfile.named(profile) else {
            throw ValidationError("unknown profile \(profile); known: \(SchedulingProfile.builtIn.map(\.name))")
        }
        switch mode {
        case .pure: try PureBenchmark.run(workers: workers, jobs: jobs, batch: batch, profile: chosen)
        case .redis: try await RedisBenchmark.run(workers: workers, jobs: jobs, batch: batch, redisURL: redis)
        }
    }
}
