import SpoolScheduling
import TestThreads
import Testing

@testable import SpoolSimulation

/// What `spool simulate --fleet N --in-flight M` relies on, at a size a unit test can run.
@Suite(.cpuBound) struct FleetScaleTests {
    /// `--in-flight M` is the built-in day's peak: the offered load at its peak comes to about M however large.
    @Test(arguments: [500.0, 2_000.0])
    func theBuiltInDayScalesToTheAskedInFlightPeak(inFlight: Double) {
        let workload = DiurnalWorkload(durationSeconds: 86_400, peakConcurrency: inFlight, burstsPerDay: 0)
            .generate(seed: 42)
        let peak = OfferedLoad(workload, intervalSeconds: 900).peak
        #expect(abs(peak - inFlight) / inFlight < 0.1, "peak \(peak) for \(inFlight)")
    }

    /// A moderate fixed fleet with the planner busy across hundreds of workers: the same seed, the same report.
    @Test func aFixedFleetIsDeterministicForASeed() throws {
        func report() throws -> SimulationReport {
            let workload = DiurnalWorkload(durationSeconds: 3_600, peakConcurrency: 1_200, peakHour: 0.5)
                .generate(seed: 9)
            let simulator = Simulator(
                workload: workload, fleet: FleetSettings(maxWorkers: 150),
                settings: SimulationSettings(seed: 9, comparePacking: false))
            return try simulator.run(policies: [.fixed(workers: 150)])
        }
        let first = try report()
        #expect(try report().json() == first.json())
        #expect(first.policies.count == 1 && first.policies[0].jobsCompleted > 0)
        #expect(first.wallSeconds == nil)
    }

    /// A run lent a helper thread (as one alone on a machine of several cores is) reports exactly what it reports
    /// without: the helper orders jobs beside the device classes' update and gives finished jobs' reservations back
    /// beside the rest of their ending, and both halves touch nothing in common.
    @Test func aPlannerHelperChangesNothingInTheReport() throws {
        // Overloaded, so that the queue outgrows the page and preemptions, degradations and retries all happen.
        let workload = DiurnalWorkload(
            durationSeconds: 3_600, peakConcurrency: 3_000, peakHour: 0.5,
            outages: [OutageWindow(startSeconds: 1_200, durationSeconds: 300)]
        ).generate(seed: 13)
        let settings = SimulationSettings(seed: 13, comparePacking: false)
        let fleet = FleetSettings(maxWorkers: 250)
        func run(helped: Bool) throws -> (report: PolicyReport, helperRuns: Int) {
            var simulation = try PolicySimulation(
                workload: workload, fleet: fleet, settings: settings, policy: .fixed(workers: 250),
                offeredLoad: OfferedLoad(workload, intervalSeconds: settings.forecastIntervalSeconds))
            if helped { simulation.lendPlannerAHelper() }
            let report = simulation.run()
            return (report, simulation.plannerHelper?.runs ?? 0)
        }
        let alone = try run(helped: false)
        let helped = try run(helped: true)
        #expect(helped.report == alone.report)
        #expect(alone.report.preemptions > 0 && alone.report.degradations > 0 && alone.report.failedAttempts > 0)
        // Not a test of its worth, but a guard that the helper took part.
        #expect(helped.helperRuns > 100, "the helper ran \(helped.helperRuns) times")
    }
}
