import Foundation
import Logging
import SpoolCore
import SpoolInMemoryStore
import SpoolInputs
import SpoolMedia
import TestSupport
import Testing

@testable import SpoolWorker

/// Warming against the in-memory store and a real HTTP origin (Python's http.server): each waiting input is
/// prefetched by exactly the worker expected to run its job, and an attempt then reads it from the cache.
@Suite(.serialized) struct InputWarmingTests {
    let root: URL
    let layout: DataLayout
    let store: InMemoryJobStore
    let origin: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-warm-\(UUID().uuidString)")
        origin = root.appendingPathComponent("origin")
        try FileManager.default.createDirectory(at: origin, withIntermediateDirectories: true)
        layout = DataLayout(root: root.appendingPathComponent("data").path)
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        store = InMemoryJobStore()
    }

    /// A worker whose one slot is busy, so jobs of its pool wait; it registered `at` (the warmers' clock).
    func register(_ name: String, running: [JobID] = [JobID(rawValue: "job_busy")], at now: Date = Date())
        async throws -> WorkerID
    {
        let id = WorkerID(rawValue: "wrk_cpu_" + name)
        try await store.upsertWorker(
            WorkerRecord(
                id: id, pool: "cpu", poolKind: .cpu, host: "h", pid: 1, slots: 1, running: running, devices: nil,
                startedAt: now, heartbeatAt: now))
        return id
    }

    func warmer(_ worker: WorkerID, cache: InputCache) -> InputWarmer {
        let access = InputAccess(policy: InputPolicy(allowPrivateNetworks: true), layout: layout)
        return InputWarmer(
            worker: worker, pool: "cpu", store: store, cache: cache, fetcher: InputFetcher(access: access),
            perRound: 10, logger: Logger(label: "test"))
    }

    @Test func eachWaitingInputIsPrefetchedOnceByItsExpectedWorker() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try HTTPFileServer(directory: origin)
        defer { server.stop() }
        try await server.waitUntilServing()
        var inputs: [String] = []
        for index in 0..<6 {
            try Data("video \(index)".utf8).write(to: origin.appendingPathComponent("v\(index).mp4"))
            let uri = "http://127.0.0.1:\(server.port)/v\(index).mp4"
            inputs.append(uri)
            _ = try await store.submit(
                JobSpec(input: .http(url: uri), outputs: Presets.named("web-360p")!.outputs), now: Date())
        }
        // A job whose input is a file needs no warming.
        _ = try await store.submit(
            JobSpec(input: .file(path: "/in/a.mp4"), outputs: Presets.named("web-360p")!.outputs), now: Date())
        // One instant for every registration and warming round: on a loaded machine the fetches of one round may
        // take longer than the worker timeout, and a worker must not look gone to the next round for that.
        let now = Date()
        let a = try await register("a", at: now)
        let b = try await register("b", at: now)
        let cacheA = try InputCache(directory: root.appendingPathComponent("cache-a").path, budgetBytes: 1 << 20)
        let cacheB = try InputCache(directory: root.appendingPathComponent("cache-b").path, budgetBytes: 1 << 20)

        // A worker with a free slot warms nothing: jobs are placed at once.
        #expect(await warmer(a, cache: cacheA).warm(now: now, slotsFree: true).isEmpty)
        let fetchedA = await warmer(a, cache: cacheA).warm(now: now, slotsFree: false)
        let fetchedB = await warmer(b, cache: cacheB).warm(now: now, slotsFree: false)
        #expect(Set(fetchedA).isDisjoint(with: fetchedB))
        #expect(Set(fetchedA + fetchedB) == Set(inputs))
        #expect(Set(cacheA.held()) == Set(fetchedA))
        // A second round has nothing left to fetch.
        #expect(await warmer(a, cache: cacheA).warm(now: now, slotsFree: false).isEmpty)

        // Nor while another worker of the pool has a free slot.
        _ = try await register("c", running: [], at: now)
        let cacheC = try InputCache(directory: root.appendingPathComponent("cache-c").path, budgetBytes: 1 << 20)
        _ = try await store.submit(
            JobSpec(
                input: .http(url: "http://127.0.0.1:\(server.port)/v0.mp4?again"),
                outputs: Presets.named("web-360p")!.outputs),
            now: now)
        #expect(await warmer(a, cache: cacheA).warm(now: now, slotsFree: false).isEmpty)
        #expect(await warmer(b, cache: cacheB).warm(now: now, slotsFree: false).isEmpty)
        #expect(await warmer(WorkerID(rawValue: "wrk_cpu_c"), cache: cacheC).warm(now: now, slotsFree: true).isEmpty)

        // With the origin gone, an attempt still gets the bytes from the cache.
        server.stop()
        let uri = try #require(fetchedA.first ?? fetchedB.first)
        let cache = fetchedA.isEmpty ? cacheB : cacheA
        var runner = AttemptRunner(
            store: store,
            configuration: WorkerConfiguration(pool: PoolDescriptor(name: "cpu", kind: .cpu, summary: ""), slots: 1),
            inventory: DeviceInventory(
                host: "h", cpuCores: 1,
                ffmpeg: FFmpegCapabilities(
                    ffmpegVersion: "", ffprobeVersion: "", encoders: [], filters: [], hwaccels: []),
                opencl: [], gpus: []),
            files: AttemptFiles(layout: layout),
            inputAccess: InputAccess(policy: InputPolicy(allowPrivateNetworks: true), layout: layout),
            tools: MediaTools(), clock: ContinuousClock(), logger: Logger(label: "test"))
        runner.inputCache = cache
        let attempt = root.appendingPathComponent("attempt")
        try FileManager.default.createDirectory(at: attempt, withIntermediateDirectories: true)
        let staged = try await runner.stageInput(.http(url: uri), tenant: .default, attemptDirectory: attempt.path)
        let index = try #require(inputs.firstIndex(of: uri))
        #expect(try String(contentsOfFile: staged, encoding: .utf8) == "video \(index)")
    }

    @Test func staleEntriesAreNotUsedAndTheBudgetEvictsTheOldest() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = try InputCache(directory: root.appendingPathComponent("c").path, budgetBytes: 10, maxAge: 60)
        let file = root.appendingPathComponent("f")
        try Data("123456".utf8).write(to: file)
        let t0 = Date()
        cache.adopt("https://o/1", from: file.path, now: t0)
        cache.adopt("https://o/2", from: file.path, now: t0.addingTimeInterval(1))
        // 12 bytes over a 10-byte budget: the least recently used went.
        #expect(cache.held(now: t0.addingTimeInterval(2)) == ["https://o/2"])
        #expect(!cache.copy("https://o/2", to: root.appendingPathComponent("x").path, now: t0.addingTimeInterval(120)))
        #expect(cache.copy("https://o/2", to: root.appendingPathComponent("y").path, now: t0.addingTimeInterval(30)))
    }
}
