import Foundation
import GPUMemoryLedger
import SpoolCore
import SpoolDispatch
import Testing

@testable import SpoolScheduling

@Suite struct SchedulingCycleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func seedProfileWeighsThePluginsAsTheDesignSays() throws {
        #expect(abs(SchedulingProfile.seed.weights.values.reduce(0, +) - 1.0) < 1e-9)
        #expect(SchedulingProfile.seed.weights["compute_capability"] == 0.3)
        #expect(SchedulingProfile.seed.weights["memory_bandwidth"] == 0.2)
        #expect(SchedulingProfile.seed.weights["thermal"] == 0.05)
        #expect(throws: SchedulerConfigurationError.unknownScore("vibes")) {
            try SchedulingCycle(profile: SchedulingProfile(name: "x", weights: ["vibes": 1], sampling: .all))
        }
        #expect(throws: SchedulerConfigurationError.invalidWeight("thermal", -1)) {
            try SchedulingCycle(profile: SchedulingProfile(name: "x", weights: ["thermal": -1], sampling: .all))
        }
    }

    @Test func normalisationMakesRelativeScoresShareOfTheBestAndExplanationMatches() throws {
        // Same load everywhere: the faster, wider card wins on compute and bandwidth.
        let l4 = gpuDevice(model: "NVIDIA L4", utilization: 0.2, temperature: 40)
        let t4 = gpuDevice(model: "Tesla T4", memoryMiB: 15360, utilization: 0.2, temperature: 40)
        var fleet = FleetSnapshot(workers: [worker("t4", t4), worker("l4", l4)], takenAt: now)
        var cycle = try SchedulingCycle(
            profile: SchedulingProfile(name: "all", weights: SchedulingProfile.seedWeights, sampling: .all))
        let decided = cycle.place(request("j"), in: &fleet, now: now, explain: true)
        #expect(decided.decision.placement?.worker.rawValue == "l4")
        let explanation = try #require(decided.explanation)
        #expect(explanation.outcome == .placed)
        #expect(explanation.chosen?.worker.rawValue == "l4")
        #expect(explanation.candidates.count == 2)
        let best = try #require(explanation.candidates.first)
        let compute = try #require(best.scores.first { $0.plugin == "compute_capability" })
        #expect(compute.normalized == 100)
        let runnerUp = try #require(explanation.candidates.last?.scores.first { $0.plugin == "compute_capability" })
        #expect(abs(runnerUp.normalized - 8.1 / 30.3 * 100) < 1e-6)
        #expect(explanation.chosen?.total == decided.decision.placement?.score)
        #expect(best.total! >= explanation.candidates.last!.total!)
    }

    @Test func reservationsAreSeenByTheNextJobInTheSameCycle() throws {
        var small = gpuDevice(model: "NVIDIA L4", memoryMiB: 23034)
        small.encoderSessions = SessionCount(capacity: 4)
        var fleet = FleetSnapshot(workers: [worker("w", slots: 10, small)], takenAt: now)
        var cycle = try SchedulingCycle()
        let decisions = cycle.run((0..<3).map { request("j\($0)", preset: "hls-ladder") }, on: &fleet, now: now)
        // Four sessions per ladder: the first fits, the others wait and say why.
        #expect(decisions[0].decision.placement != nil)
        #expect(decisions[1].decision.placement == nil)
        guard case .waiting(let reason) = decisions[1].decision else { return }
        #expect(reason.contains("encoder sessions"))
        #expect(fleet.workers[0].devices[0].encoderSessions.inUse == 4)
        #expect(fleet.workers[0].assigned == 1)
        #expect(fleet.workers[0].devices[0].memory.reservedMiB >= decisions[0].decision.placement!.demand.gpuMemoryMiB)
        // Releasing gives it all back.
        let released = fleet.release(JobID(rawValue: "j0"), placement: decisions[0].decision.placement!)
        #expect(released)
        #expect(fleet.workers[0].devices[0].encoderSessions.inUse == 0)
        #expect(fleet.workers[0].devices[0].memory.reservedMiB == 0)
    }

    @Test func waitingJobsSayWhyInWordsAPersonCanActOn() throws {
        var fleet = FleetSnapshot(workers: [], takenAt: now)
        var cycle = try SchedulingCycle()
        guard case .waiting(let none) = cycle.place(request("a"), in: &fleet, now: now).decision else {
            Issue.record("placed on an empty fleet")
            return
        }
        #expect(none.contains("no live workers"))
        fleet = FleetSnapshot(workers: [worker("h", gpuDevice(model: "NVIDIA H200", memoryMiB: 143_771))], takenAt: now)
        let decided = cycle.place(request("b", acceleration: .nvenc), in: &fleet, now: now, explain: true)
        guard case .waiting(let reason) = decided.decision else {
            Issue.record("an NVENC job was placed on an H200")
            return
        }
        #expect(reason.contains("no NVENC"))
        #expect(decided.explanation?.refusals["no_nvenc"] == 1)
        #expect(decided.explanation?.candidates.first?.refusedBy == "capability")
        guard case .waiting(let pinned) = cycle.place(request("c", pool: "eu"), in: &fleet, now: now).decision else {
            return
        }
        #expect(pinned.contains("pool 'eu'"))
    }

    @Test func firstFitTakesFleetOrderAndSamplingStopsEarly() throws {
        let workers = (0..<50).map { worker("w\($0)", gpuDevice(model: "NVIDIA L4")) }
        var fleet = FleetSnapshot(workers: workers, takenAt: now)
        var firstFit = try SchedulingCycle(profile: .firstFit)
        for n in 0..<3 {
            let decided = firstFit.place(request("f\(n)"), in: &fleet, now: now, explain: true)
            #expect(decided.decision.placement?.worker.rawValue == "w0")
            #expect(decided.explanation?.devicesEvaluated == 1)
        }
        var sampled = try SchedulingCycle(
            profile: SchedulingProfile(name: "s", weights: SchedulingProfile.seedWeights, sampling: .feasible(limit: 5))
        )
        let first = sampled.place(request("s0"), in: &fleet, now: now, explain: true)
        #expect(first.explanation?.devicesEvaluated == 5)
        // The next job starts where this one stopped, so sampling walks the whole fleet in turn.
        let second = sampled.place(request("s1"), in: &fleet, now: now, explain: true)
        let firstWorkers = Set(first.explanation!.candidates.map(\.worker))
        let secondWorkers = Set(second.explanation!.candidates.map(\.worker))
        #expect(firstWorkers.isDisjoint(with: secondWorkers))
    }

    @Test func powerOfTwoChoicesIsReproducibleForASeed() throws {
        let workers = (0..<200).map { worker("w\($0)", gpuDevice(model: $0 % 3 == 0 ? "NVIDIA L4" : "Tesla T4")) }
        func run() throws -> [WorkerID?] {
            var fleet = FleetSnapshot(workers: workers, takenAt: now)
            var cycle = try SchedulingCycle(profile: .powerOfTwo, seed: 42)
            return (0..<100).map { cycle.place(request("p\($0)"), in: &fleet, now: now).decision.placement?.worker }
        }
        let first = try run()
        #expect(first == (try run()))
        #expect(first.allSatisfy { $0 != nil })
        #expect(Set(first.compactMap { $0 }).count > 30)
    }

    @Test func aWarmCacheReportedByAWorkerDrawsItsJobUnderTheLocalityProfile() throws {
        let job = request("warm")
        for holder in 0..<4 {
            var records = (0..<4).map {
                Fleets.record("cpu-\($0)", pool: "cpu", kind: .cpu, gpus: [], slots: 4, cores: 8)
            }
            records[holder].cachedInputs = [job.inputKey]
            var fleet = FleetSnapshotBuilder().snapshot(workers: records, holding: [], now: now)
            #expect(fleet.workers[holder].cachedInputs == [job.inputKey])
            var cycle = try SchedulingCycle(profile: .seedWithLocality)
            #expect(cycle.place(job, in: &fleet, now: now).decision.placement?.worker.rawValue == "cpu-\(holder)")
        }
    }

    /// A running HLS-ladder job placed on GPU 1 of worker l4-0, holding 1,000 MiB, 4 encoder and 1 decoder sessions.
    func runningOnL4(id: String) -> Job {
        var job = Job(
            id: JobID(rawValue: id),
            spec: JobSpec(input: .file(path: "/x"), outputs: Presets.named("hls-ladder")!.outputs),
            now: now)
        job.state = .running
        job.placement = JobPlacement(
            worker: WorkerID(rawValue: "l4-0"), pool: "cuda", gpu: 1, deviceModel: "NVIDIA L4",
            demand: ResourceDemand(gpuMemoryMiB: 1000, encoderSessions: 4, decoderSessions: 1), score: 50, placedAt: now
        )
        return job
    }

    @Test func builderAccountsForRunningAndPlacedJobsAndForeignMemory() throws {
        let records = try Fleets.heterogeneous()
        let job = runningOnL4(id: "running")
        let fleet = FleetSnapshotBuilder().snapshot(workers: records, holding: [job], now: now)
        let l4 = try #require(fleet.workers.first { $0.id.rawValue == "l4-0" })
        #expect(l4.assigned == 1)
        let gpu1 = try #require(l4.devices.first { $0.gpuIndex == 1 })
        #expect(gpu1.encoderSessions.inUse == 4)
        #expect(gpu1.encoderSessions.capacity == 20)  // 2 NVENC × 600 fps ÷ 60 fps
        // nvidia-smi says 6155 MiB used; 1000 of it is ours, the rest is not ours to give.
        #expect(gpu1.memory.capacityMiB == Int(23034 * 0.95) - 5155)
        #expect(gpu1.memory.reservedMiB >= 1000)
        let h200 = try #require(fleet.workers.first { $0.id.rawValue == "h200-0" })
        #expect(h200.devices.allSatisfy { $0.encoderSessions.capacity == 0 && $0.decoderSessions.capacity > 0 })
        let cpu = try #require(fleet.workers.first { $0.pool == "cpu" })
        #expect(cpu.devices.map(\.kind) == [.cpu])
    }

    /// A job whose ffmpeg has exited only validates and commits: its slot, GPU memory and sessions are free for the
    /// worker's next job, and it is nobody's preemption victim (evicting it would free nothing and lose its work).
    @Test func aJobPastItsTranscodeHoldsNothing() throws {
        let records = try Fleets.heterogeneous()
        var job = runningOnL4(id: "validating")
        job.progress = TranscodeProgress(fraction: 0.99, fps: 120)
        #expect(!HeldJob(job).isPastTranscode)
        let busy = FleetSnapshotBuilder().snapshot(workers: records, holding: [job], now: now)
        #expect(busy.workers.first { $0.id.rawValue == "l4-0" }?.assigned == 1)

        job.progress = .transcoded
        #expect(job.isPastTranscode)
        #expect(HeldJob(job).isPastTranscode)
        let fleet = FleetSnapshotBuilder().snapshot(workers: records, holding: [job], now: now)
        let l4 = try #require(fleet.workers.first { $0.id.rawValue == "l4-0" })
        #expect(l4.assigned == 0)
        let gpu1 = try #require(l4.devices.first { $0.gpuIndex == 1 })
        #expect(gpu1.encoderSessions.inUse == 0 && gpu1.decoderSessions.inUse == 0)
        #expect(gpu1.memory.reservedMiB == 0)
        // A record written before the flag existed reads as still transcoding.
        let old = try JSONDecoder().decode(TranscodeProgress.self, from: Data(#"{"fraction":1}"#.utf8))
        #expect(old.transcodeFinished == nil)
    }
}

/// A site's own rules plug in beside the built-in ones.
@Suite struct CustomPluginTests {
    struct AvoidWorker: FilterPlugin {
        var name: String { "avoid_worker" }
        let avoided: String
        func filter(_ context: CandidateContext, _ candidate: Candidate) -> FilterRefusal? {
            candidate.worker.id.rawValue == avoided ? .workerDraining : nil
        }
    }

    struct PreferLowIndex: ScorePlugin {
        var name: String { "prefer_low_index" }
        var normalization: ScoreNormalization { .absolute }
        func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
            candidate.worker.id.rawValue == "w1" ? 1 : 0
        }
    }

    @Test func customFiltersAndScoresTakePart() throws {
        let now = Date()
        var fleet = FleetSnapshot(
            workers: (0..<3).map { worker("w\($0)", gpuDevice(model: "NVIDIA L4")) }, takenAt: now)
        let profile = SchedulingProfile(
            name: "site", filters: SchedulingProfile.allFilters + ["avoid_worker"],
            weights: ["prefer_low_index": 1, "thermal": 0.1], sampling: .all)
        var cycle = try SchedulingCycle(
            profile: profile, additionalFilters: ["avoid_worker": AvoidWorker(avoided: "w0")],
            additionalScores: ["prefer_low_index": PreferLowIndex()])
        let decided = cycle.place(request("j"), in: &fleet, now: now, explain: true)
        #expect(decided.decision.placement?.worker.rawValue == "w1")
        #expect(decided.explanation?.candidates.contains { $0.refusedBy == "avoid_worker" } == true)
        #expect(throws: SchedulerConfigurationError.unknownFilter("avoid_worker")) {
            try SchedulingCycle(profile: profile)
        }
    }
}
