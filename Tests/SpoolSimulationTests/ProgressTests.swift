import Foundation
import TestThreads
import Testing

@testable import SpoolSimulation

/// What a progress display reads while a simulation runs, and that following a run changes nothing in it.
@Suite(.cpuBound) struct ProgressTests {
    @Test func aRunReportsTheVirtualTimeItReachedEveryFewMinutes() throws {
        let workload = SmallWorkloads.diurnal(seed: 4)
        var simulation = try PolicySimulation(
            workload: workload, fleet: SmallWorkloads.diurnalFleet, settings: SimulationSettings(seed: 4),
            policy: .hpa, offeredLoad: OfferedLoad(workload, intervalSeconds: 900))
        var reached: [Double] = []
        _ = simulation.run(reporting: { reached.append($0) })
        let gaps = zip(reached.dropFirst(), reached).map { $0 - $1 }
        #expect(reached.first == SimulationProgress.reportingSeconds)
        #expect(gaps.allSatisfy { $0 == SimulationProgress.reportingSeconds })
        // Up to the end of the workload and on while its queued jobs finish.
        #expect((reached.last ?? 0) >= workload.durationSeconds)
    }

    @Test func theReadingAveragesTheRunsAndCountsDrainingAsDone() {
        let progress = SimulationProgress()
        #expect(progress.reading.runs == 0 && progress.reading.fraction == 0)
        progress.begin(runs: 2, durationSeconds: 3_600)
        progress.report(run: 0, reachedSeconds: 1_800)
        #expect(progress.reading.fraction == 0.25)
        // A report from behind (there is none in a run) never moves a run back.
        progress.report(run: 0, reachedSeconds: 900)
        #expect(progress.reading.fraction == 0.25)
        progress.report(run: 0, reachedSeconds: 4_000)
        progress.report(run: 1, reachedSeconds: 3_900)
        let draining = progress.reading
        #expect(draining.fraction == 1 && draining.isDraining && draining.furthestSeconds == 4_000)
        progress.finish(run: 0)
        progress.finish(run: 1)
        #expect(progress.reading.finishedRuns == 2 && !progress.reading.isDraining)
        // An index out of range is ignored rather than trapping the run that sent it.
        progress.report(run: 7, reachedSeconds: 1)
        progress.finish(run: -1)
        #expect(progress.reading.finishedRuns == 2)
    }

    @Test func aFollowedRunGivesTheSameReportAndEndsComplete() throws {
        let simulator = Simulator(
            workload: SmallWorkloads.diurnal(seed: 9), fleet: SmallWorkloads.diurnalFleet,
            settings: SimulationSettings(seed: 9))
        let progress = SimulationProgress()
        let followed = try simulator.run(progress: progress).json()
        #expect(followed == (try simulator.run().json()))
        let reading = progress.reading
        // The four standard policies and the whole-GPU side of the packing comparison.
        #expect(reading.runs == 5 && reading.finishedRuns == 5 && reading.fraction == 1)
        #expect(reading.durationSeconds == 4 * 3_600 && reading.furthestSeconds >= 4 * 3_600)
    }
}
