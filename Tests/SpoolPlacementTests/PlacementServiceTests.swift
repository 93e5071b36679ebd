import Foundation
import Logging
import RESPClient
import SpoolAPIModels
import SpoolAutoscaling
import SpoolCore
import SpoolDispatch
import SpoolInMemoryStore
import SpoolMedia
import SpoolRedis
import SpoolSQLite
import SpoolScheduling
import TestSupport
import Testing

@testable import SpoolPlacement

/// Which store a placement test runs on: the service is store-agnostic, and every store must carry it (the
/// in-memory one runs in milliseconds).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite
    case redis

    var testDescription: String { rawValue }
}

/// A real store (SQLite file or a redis-server started for the test), workers registered with GPUs recorded by
/// nvidia-smi, jobs submitted through the store, cycles run by hand at chosen times.
final class PlacementFixture {
    let now = Date()
    let store: any JobStore
    let directory: URL
    let redis: RedisServerProcess?
    let service: PlacementService<ContinuousClock>
    var state: PlacementState

    init(_ kind: StoreKind, inputRouting: (@Sendable ([PoolSpec]) -> BatchRouting?)? = nil) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "spool-placement-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch kind {
        case .memory:
            store = InMemoryJobStore()
            redis = nil
        case .sqlite:
            store = try SQLiteJobStore(path: directory.appendingPathComponent("spool.db").path)
            redis = nil
        case .redis:
            let server = try RedisServerProcess(directory: directory.appendingPathComponent("redis"))
            try await server.waitUntilReady()
            let client = RedisClient(
                configuration: RedisConfiguration(host: "127.0.0.1", port: server.port, mode: .standalone))
            store = RedisJobStore(client: client, namespace: "placement", shards: 3)
            redis = server
        }
        service = PlacementService(
            store: store, configuration: SchedulerConfiguration(), leadership: .alone(), clock: ContinuousClock(),
            logger: Logger(label: "test"), inputRouting: inputRouting)
        state = try PlacementState(configuration: service.configuration)
    }

    /// Stops the test's redis-server (its client's connections end with it) and removes the files.
    func stop() {
        redis?.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SpoolMediaTests/Fixtures/nvidia-smi")

    func register(
        _ name: String, gpus file: String?, kind: PoolKind = .cuda, slots: Int = 8, at time: Date? = nil,
        pool: String? = nil
    ) async throws -> WorkerID {
        let gpus =
            try file.map {
                try NvidiaSMI.parse(
                    csv: String(contentsOf: PlacementFixture.fixtures.appendingPathComponent($0), encoding: .utf8))
            } ?? []
        let ffmpeg = FFmpegCapabilities(
            ffmpegVersion: "5.1", ffprobeVersion: "5.1", encoders: ["libx264"], filters: [], hwaccels: [])
        let id = WorkerID(rawValue: name)
        try await store.upsertWorker(
            WorkerRecord(
                id: id, pool: pool ?? (kind == .cpu ? "cpu" : "cuda"), poolKind: kind, host: name, pid: 1, slots: slots,
                devices: DeviceInventory(host: name, cpuCores: 4, ffmpeg: ffmpeg, opencl: [], gpus: gpus),
                startedAt: time ?? now, heartbeatAt: time ?? now))
        return id
    }

    func submit(
        _ preset: String, acceleration: Acceleration = .auto, serviceClass: ServiceClass = .standard,
        tenant: String = "default", input: InputSource = .file(path: "/in/clip.mp4")
    ) async throws -> Job {
        try await store.submit(
            JobSpec(
                tenant: TenantID(rawValue: tenant), serviceClass: serviceClass, input: input,
                outputs: Presets.named(preset)!.outputs, preset: preset, acceleration: acceleration),
            now: now
        ).job
    }

    /// One scheduling cycle of a placement service over this store, as a leader with `token`. The service's state
    /// (rotation, fair-share credit, learned estimates) carries over from cycle to cycle, as in the running service.
    func cycle(token: Int, now: Date) async throws -> CycleReport {
        try await service.cycle(&state, token: token, now: now)
    }
}

@Suite struct PlacementServiceTests {
    @Test(arguments: StoreKind.allCases) func placesJobsCommitsThemAndExplainsEachDecision(_ kind: StoreKind)
        async throws
    {
        let t = try await PlacementFixture(kind)
        defer { t.stop() }
        let store = t.store
        let now = t.now
        let l4 = try await t.register("l4", gpus: "l4-2x.csv")
        let h200 = try await t.register("h200", gpus: "h200-hgx-8x.csv")
        let nvenc = try await t.submit("web-720p", acceleration: .nvenc)
        let decodeOnly = try await t.submit("web-720p", acceleration: .gpu)
        let report = try await t.cycle(token: 3, now: now)
        #expect(report.committed == 2 && report.stale == 0 && report.waiting == 0)

        let placedNVENC = try #require(try await store.job(nvenc.id)?.placement)
        #expect(placedNVENC.worker == l4)
        #expect(placedNVENC.schedulerToken == 3)
        #expect(placedNVENC.demand.encoderSessions == 1)
        // The H200 is the stronger card: a job that may decode on it and encode on the host goes there.
        let placedDecode = try #require(try await store.job(decodeOnly.id)?.placement)
        #expect(placedDecode.worker == h200 && placedDecode.demand.encoderSessions == 0)

        let json = try #require(try await store.placementExplanation(for: nvenc.id))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let explanation = try decoder.decode(PlacementExplanation.self, from: Data(json.utf8))
        #expect(explanation.outcome == .placed)
        #expect(explanation.chosen?.worker == l4 && explanation.chosen?.gpu == placedNVENC.gpu)
        #expect(explanation.refusals["no_nvenc"] == 8)
        #expect(explanation.candidates.contains { $0.refusedBy == "capability" && $0.worker == h200 })

        // Only the worker it was placed on can claim it.
        #expect(
            try await store.claimPlaced(worker: h200, pool: "cuda", leaseDuration: .seconds(30), now: now)?.id
                == decodeOnly.id)
        #expect(try await store.claimPlaced(worker: h200, pool: "cuda", leaseDuration: .seconds(30), now: now) == nil)
        #expect(
            try await store.claimPlaced(worker: l4, pool: "cuda", leaseDuration: .seconds(30), now: now)?.id == nvenc.id
        )
    }

    /// A worker's slot is free once its job's ffmpeg has exited: the attempt says so with a heartbeat
    /// (`TranscodeProgress.transcoded`), and the next cycle places the next job there while the first one still
    /// validates and commits. Through every store, so each one keeps the flag where the cycle reads it.
    @Test(arguments: StoreKind.allCases) func aSlotIsFreeOnceItsJobsTranscodeEnded(_ kind: StoreKind) async throws {
        let t = try await PlacementFixture(kind)
        defer { t.stop() }
        let worker = try await t.register("cpu-1", gpus: nil, kind: .cpu, slots: 1)
        let first = try await t.submit("web-360p")
        #expect(try await t.cycle(token: 1, now: t.now).committed == 1)
        let claimed = try #require(
            try await t.store.claimPlaced(worker: worker, pool: "cpu", leaseDuration: .seconds(30), now: t.now))
        #expect(claimed.id == first.id)
        let lease = try #require(claimed.currentLease)
        let second = try await t.submit("web-360p")
        _ = try await t.store.heartbeat(
            lease, progress: TranscodeProgress(fraction: 0.9), leaseDuration: .seconds(30), now: t.now)
        #expect(try await t.cycle(token: 1, now: t.now.addingTimeInterval(1)).committed == 0, "the slot is busy")

        let reply = try await t.store.heartbeat(
            lease, progress: .transcoded, leaseDuration: .seconds(30), now: t.now.addingTimeInterval(2))
        #expect(reply == .proceed)
        #expect(try await t.cycle(token: 1, now: t.now.addingTimeInterval(3)).committed == 1)
        #expect(try await t.store.job(second.id)?.placement?.worker == worker)
        #expect(try await t.store.job(first.id)?.state == .running, "the first job still validates")
    }

    @Test(arguments: StoreKind.allCases) func aJobThatFitsNowhereWaitsAndSaysWhy(_ kind: StoreKind) async throws {
        let t = try await PlacementFixture(kind)
        defer { t.stop() }
        let store = t.store
        let now = t.now
        _ = try await t.register("h200", gpus: "h200-hgx-8x.csv")
        let job = try await t.submit("web-1080p", acceleration: .nvenc)
        let report = try await t.cycle(token: 1, now: now)
        #expect(report.committed == 0 && report.waiting == 1)
        #expect(try await store.job(job.id)?.placement == nil)
        let json = try #require(try await store.placementExplanation(for: job.id))
        #expect(json.contains("\"outcome\":\"waiting\""))
        #expect(json.contains("has no NVENC"))
    }

    /// A job explained as waiting and placed a moment later, before its explanation is due again: the explanation
    /// follows the placement, not the earlier wait (a worker registering just after the first cycle).
    @Test(arguments: StoreKind.allCases) func aPlacementReplacesAnEarlierWaitingExplanation(_ kind: StoreKind)
        async throws
    {
        let t = try await PlacementFixture(kind)
        defer { t.stop() }
        let job = try await t.submit("web-360p")
        _ = try await t.cycle(token: 1, now: t.now)
        let waiting = try #require(try await t.store.placementExplanation(for: job.id))
        #expect(waiting.contains("\"outcome\":\"waiting\""))
        let worker = try await t.register("cpu-1", gpus: nil, kind: .cpu, at: t.now)
        _ = try await t.cycle(token: 1, now: t.now.addingTimeInterval(0.2))
        #expect(try await t.store.job(job.id)?.placement?.worker == worker)
        let placed = try #require(try await t.store.placementExplanation(for: job.id))
        #expect(placed.contains("\"outcome\":\"placed\"") && placed.contains("cpu-1"))
    }

    @Test(arguments: StoreKind.allCases) func placementsOnAWorkerThatDiedAreTakenBack(_ kind: StoreKind) async throws {
        let t = try await PlacementFixture(kind)
        defer { t.stop() }
        let store = t.store
        let now = t.now
        _ = try await t.register("gone", gpus: "l4-2x.csv", at: now.addingTimeInterval(-60))
        let job = try await t.submit("web-720p")
        let read = try #require(
            try await store.schedulingView(now: now, waitingLimit: 5, pools: ["cuda"]).waiting.first)
        let stalePlacement = JobPlacement(
            worker: WorkerID(rawValue: "gone"), pool: "cuda", gpu: 0, deviceModel: "NVIDIA L4",
            demand: ResourceDemand(gpuMemoryMiB: 400, encoderSessions: 1, decoderSessions: 1), score: 1,
            placedAt: now.addingTimeInterval(-60))
        _ = try await store.commitPlacements([PlacementCommit(read, placement: stalePlacement)], now: now)
        let live = try await t.register("live", gpus: "t4.csv")
        let report = try await t.cycle(token: 1, now: now)
        #expect(report.withdrawn == 1)
        // Withdrawn this cycle, placed on the live worker the next.
        _ = try await t.cycle(token: 1, now: now)
        #expect(try await store.job(job.id)?.placement?.worker == live)
    }

    @Test(arguments: StoreKind.allCases) func aRealtimeJobPreemptsBatchWorkWhenNothingElseFits(_ kind: StoreKind)
        async throws
    {
        let t = try await PlacementFixture(kind)
        defer { t.stop() }
        let store = t.store
        let now = t.now
        let t4 = try await t.register("t4", gpus: "t4.csv", slots: 2)
        let batch = [
            try await t.submit("web-720p", serviceClass: .batch), try await t.submit("web-720p", serviceClass: .batch),
        ]
        _ = try await t.cycle(token: 1, now: now)
        for _ in batch {
            _ = try #require(
                try await store.claimPlaced(worker: t4, pool: "cuda", leaseDuration: .seconds(30), now: now))
        }
        let realtime = try await t.submit("web-720p", serviceClass: .realtime)
        let report = try await t.cycle(token: 1, now: now.addingTimeInterval(1))
        #expect(report.evicted == 1)
        let requeued = try await batch.asyncMap { try await store.job($0.id)! }.filter { $0.state == .queued }
        #expect(requeued.count == 1)
        #expect(requeued.first?.evictions == 1 && requeued.first?.failures == 0)
        #expect(requeued.first?.error?.code == .preempted)
        // The freed slot goes to the realtime job, not back to the evicted batch job.
        _ = try await t.cycle(token: 1, now: now.addingTimeInterval(2))
        #expect(try await store.job(realtime.id)?.placement?.worker == t4)
        #expect(try await store.job(requeued[0].id)?.placement == nil)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

extension PlacementServiceTests {
    @Test(arguments: StoreKind.allCases) func anOverdueRealtimeJobMovesToTheCPUPoolWhenTheGPUsAreFull(_ kind: StoreKind)
        async throws
    {
        let t = try await PlacementFixture(kind)
        defer { t.stop() }
        let store = t.store
        let now = t.now
        let t4 = try await t.register("t4", gpus: "t4.csv", slots: 1)
        let cpu = try await t.register("cpu", gpus: nil, kind: .cpu, slots: 2)
        // The only GPU slot runs a realtime job, which nothing may preempt.
        let first = try await t.submit("web-720p", acceleration: .nvenc, serviceClass: .realtime)
        _ = try await t.cycle(token: 1, now: now)
        _ = try #require(try await store.claimPlaced(worker: t4, pool: "cuda", leaseDuration: .seconds(30), now: now))
        #expect(try await store.job(first.id)?.state == .running)
        let second = try await t.submit("web-720p", acceleration: .nvenc, serviceClass: .realtime)
        // Within realtime's 5 s target it waits for the GPU.
        let early = try await t.cycle(token: 1, now: now.addingTimeInterval(2))
        #expect(early.degraded == 0 && early.waiting == 1)
        // Past it, on a saturated pool, it moves to cpu, and the next cycle places it there.
        let late = try await t.cycle(token: 1, now: now.addingTimeInterval(6))
        #expect(late.degraded == 1)
        let moved = try #require(try await store.job(second.id))
        #expect(moved.spec.pool == "cpu" && moved.spec.acceleration == .auto)
        #expect(moved.degradations.count == 1 && moved.degradations[0].contains("moving to cpu"))
        _ = try await t.cycle(token: 1, now: now.addingTimeInterval(7))
        #expect(try await store.job(second.id)?.placement?.worker == cpu)
    }
}

extension PlacementServiceTests {
    @Test(arguments: StoreKind.allCases) func estimatesLearnFromWhatWorkersSawOnTheirGPUs(_ kind: StoreKind)
        async throws
    {
        let t = try await PlacementFixture(kind)
        defer { t.stop() }
        let store = t.store
        let now = t.now
        let l4 = try await t.register("l4", gpus: "l4-2x.csv")
        var record = try #require(try await store.workers().first { $0.id == l4 })
        record.gpuMemoryObservations = (0..<3).map {
            GPUMemoryObservation(job: JobID(rawValue: "old\($0)"), estimateKey: "web-720p", path: "nvenc", peakMiB: 900)
        }
        try await store.upsertWorker(record)
        let job = try await t.submit("web-720p", acceleration: .nvenc)
        _ = try await t.cycle(token: 1, now: now)
        // The model says ~340 MiB for 720p; three runs measured 900, so the reservation follows the measurement.
        let placement = try #require(try await store.job(job.id)?.placement)
        #expect(placement.demand.gpuMemoryMiB >= 900)
        // Repeated registrations do not count the same runs twice.
        t.state.learn(from: [record])
        #expect(t.state.planner.cycle.estimator.learner.estimates.values.first?.observations == 3)
    }
}
