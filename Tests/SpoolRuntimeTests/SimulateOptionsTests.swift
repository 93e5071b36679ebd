import ArgumentParser
import Testing

@testable import SpoolCommands
@testable import SpoolSimulation

/// `spool simulate`'s fleet-scale options as parsed, without running a simulation.
@Suite struct SimulateOptionsTests {
    @Test func fleetAloneMeansOneFixedFleetOfThatSizeWithoutThePackingRerun() throws {
        let command = try Simulate.parse(["--fleet", "10000", "--in-flight", "100000"])
        #expect(command.peak == 100_000)
        let plan = try command.simulationPlan()
        #expect(plan.policies == [.fixed(workers: 10_000)])
        #expect(plan.fleet.maxWorkers == 10_000)
        #expect(!plan.comparePacking)
    }

    @Test func fleetWithPoliciesBoundsTheAutoscaledPool() throws {
        let plan = try Simulate.parse(["--fleet", "50", "--policies", "hpa,predictive"]).simulationPlan()
        #expect(plan.policies == [.hpa, .predictive])
        #expect(plan.fleet.maxWorkers == 50)
        #expect(plan.comparePacking)
        // A pool smaller than the default floor lowers the floor with it.
        #expect(try Simulate.parse(["--fleet", "1"]).simulationPlan().fleet.minWorkers == 1)
    }

    @Test func inFlightAndPeakAreOneKnob() throws {
        #expect(try Simulate.parse(["--peak", "80"]).peak == 80)
        #expect(try Simulate.parse(["--in-flight", "80"]).peak == 80)
        #expect(try Simulate.parse([]).peak == 1_500)
    }

    @Test func withoutFleetTheStandardSetRuns() throws {
        let plan = try Simulate.parse(["--max-workers", "300"]).simulationPlan()
        #expect(plan.policies == nil)
        #expect(plan.fleet.maxWorkers == 300)
        #expect(plan.comparePacking)
    }

    @Test func aFleetOfNoWorkersIsRefused() throws {
        #expect(throws: ValidationError.self) { try Simulate.parse(["--fleet", "0"]).simulationPlan() }
    }
}
