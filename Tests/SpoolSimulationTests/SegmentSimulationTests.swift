import SpoolCore
import TestThreads
import Testing

@testable import SpoolSimulation

@Suite(.cpuBound) struct SegmentSimulationTests {
    @Test func segmentingShortensLongJobsOnAFleet() throws {
        var settings = SegmentSimulation.Settings()
        settings.gpus = 4
        let simulation = SegmentSimulation(settings: settings)
        // One hour alone on 4 GPUs: split into 120 tasks of 30 s, which share 8 NVENC engines.
        let alone = try simulation.speedup(hours: 1)
        #expect(alone.split < alone.whole)
        let jobs = SegmentSimulation.longJobs(count: 6, meanGapSeconds: 300, seed: 3)
        let whole = try simulation.run(jobs, segmenting: false)
        let split = try simulation.run(jobs, segmenting: true)
        #expect(whole.tasks == 0)
        #expect(split.tasks > jobs.count * 20)
        #expect(split.p95 < whole.p95)
        #expect(split.timeToOutput.allSatisfy { $0 > 0 })
        // The same seed and settings give the same answer.
        #expect(try simulation.run(jobs, segmenting: true) == split)
    }

    @Test func aWholeFileEncodeTakesItsFramesOverOneEngine() throws {
        var settings = SegmentSimulation.Settings()
        settings.gpus = 2
        let outcome = try SegmentSimulation(settings: settings).run(
            [.init(arrival: 0, inputSeconds: 600)], segmenting: false)
        // 18,000 frames at 450 fps, the task's start and the input's download (600 MB at 10 Gbit/s).
        let expected = 18_000 / 450 + settings.taskOverheadSeconds + 600 * 8 / 1000 / 10
        #expect(abs(outcome.timeToOutput[0] - expected) <= 2 * settings.tickSeconds)
    }

    @Test func audioRunsOnTheCPUBesideTheEncodeAndBoundsWhateverWaitsForIt() throws {
        var settings = SegmentSimulation.Settings()
        settings.gpus = 16
        settings.audioRealtimeFactor = 5
        let simulation = SegmentSimulation(settings: settings)
        let input = SegmentSimulation.LongJob(arrival: 0, inputSeconds: 600)
        // Whole-file: 40 s of NVENC, but 120 s of audio on the CPU beside it.
        let whole = try simulation.run([input], segmenting: false).timeToOutput[0]
        let download = 600 * 8 / 1000 / 10.0
        #expect(abs(whole - (120 + settings.taskOverheadSeconds + download)) <= 2 * settings.tickSeconds)
        // Segmented: the audio is cut with the video (20 pieces of 30 s, 6 s each on a core), so nothing waits for
        // 120 s of one encoder.
        let split = try simulation.run([input], segmenting: true).timeToOutput[0]
        #expect(split < 60, "segmented \(split) s")
    }
}
