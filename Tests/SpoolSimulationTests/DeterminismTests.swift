import Foundation
import TestThreads
import Testing

@testable import SpoolSimulation

@Suite(.cpuBound) struct DeterminismTests {
    func report(workloadSeed: UInt64, simulationSeed: UInt64) throws -> Data {
        let simulator = Simulator(
            workload: SmallWorkloads.diurnal(seed: workloadSeed), fleet: SmallWorkloads.diurnalFleet,
            settings: SimulationSettings(seed: simulationSeed))
        return try simulator.run().json()
    }

    @Test func theSameSeedGivesByteIdenticalReports() throws {
        let first = try report(workloadSeed: 11, simulationSeed: 5)
        let second = try report(workloadSeed: 11, simulationSeed: 5)
        #expect(first == second)
        // All four policies and the packing comparison are in it, in snake_case.
        let text = String(decoding: first, as: UTF8.self)
        for key in ["\"hpa\"", "\"predictive\"", "\"predictive+cost\"", "\"fixed-", "\"p95_seconds\"", "\"whole_gpu\""]
        {
            #expect(text.contains(key), "missing \(key)")
        }
    }

    @Test func aDifferentSeedGivesADifferentReport() throws {
        let first = try report(workloadSeed: 11, simulationSeed: 5)
        #expect(try report(workloadSeed: 12, simulationSeed: 5) != first)
        // The simulation's own seed drives spot interruptions and retry jitter.
        #expect(try report(workloadSeed: 11, simulationSeed: 6) != first)
    }

    @Test func theReportDecodesBackToItself() throws {
        let simulator = Simulator(
            workload: SmallWorkloads.diurnal(seed: 3), fleet: SmallWorkloads.diurnalFleet,
            settings: SimulationSettings(seed: 3, comparePacking: false))
        let report = try simulator.run()
        let decoded = try JSONDecoder().decode(SimulationReport.self, from: try report.json())
        #expect(decoded == report)
    }
}
