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
}
