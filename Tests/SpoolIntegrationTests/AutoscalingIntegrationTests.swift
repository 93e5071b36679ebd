import Foundation
import SpoolClient
import SpoolCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real `spool serve` autoscaling a created pool with real `spool worker` processes: a burst of jobs starts
/// workers, they run the jobs, scale-in stops them once idle, and a worker whose server is killed -9 leaves too.
@Suite(.serialized) struct AutoscalingIntegrationTests {
    @Test func aBurstStartsWorkersThatLeaveWhenIdleAndOnTheirServersDeath() async throws {
        let area = try TestArea("autoscale")
        defer { area.cleanUp() }
        let server = try Self.server(
            in: area,
            autoscaler: #"""
                {"interval_seconds": 0.5,
                 "rates": {"scale_up": [{"kind": "workers", "value": 4, "period_seconds": 1}], "scale_up_selection": "max",
                           "scale_down": [{"kind": "workers", "value": 4, "period_seconds": 1}], "scale_down_selection": "max"}}
                """#)
        // Whatever happens, neither the server nor a worker it started outlives the test.
        defer { Self.stop(server, in: area) }
        try await server.start()
        let client = server.client
        _ = try await client.createPool(
            PoolRequest(
                name: "burst", kind: .cpu, maxWorkers: 2, slotsPerWorker: 1,
                scaling: PoolScalingTargets(backlogPerWorker: 1, scaleDownStabilizationSeconds: 2, cooldownSeconds: 0)))

        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 2)
        // Enough work that the second worker registers before the first could finish it alone, even on a loaded
        // machine (its self-test encode comes first; a worker's slot is free the moment ffmpeg exits, so one worker
        // gets through 12 short jobs faster than it used to).
        var jobs: [JobID] = []
        for _ in 0..<24 {
            jobs.append(
                try await client.submit(JobRequest(input: "file://" + clip.path, preset: "web-360p", pool: "burst")).id)
        }

        // Up: two worker processes of the pool, started by the server, registered and running the jobs.
        var mostWorkers = 0
        try await waitFor("the burst to finish", timeout: .seconds(240)) {
            mostWorkers = max(mostWorkers, try await client.pool("burst").workers)
            for job in jobs where !(try await client.job(job).state.isTerminal) { return false }
            return true
        }
        var ranOn: Set<String> = []
        for job in jobs {
            let done = try await client.job(job)
            #expect(done.state == .succeeded, "\(done.error?.message ?? "")")
            #expect(done.worker?.rawValue.hasPrefix("wrk_burst_") == true)
            if let worker = done.worker { ranOn.insert(worker.rawValue) }
        }
        // Two workers ran the burst. The jobs say so directly; the pool's count, sampled between 24 job reads on a
        // loaded machine, can miss a worker that came and went between two samples, so it only may not exceed 2.
        // At least two: on a loaded machine the pool may scale in between jobs and start a fresh worker later.
        #expect(ranOn.count >= 2, "\(ranOn)")
        #expect(mostWorkers <= 2)

        // Down: once idle past the window, every worker is drained and its process exits.
        try await waitFor("the pool to scale in to zero", timeout: .seconds(60)) {
            let pool = try await client.pool("burst")
            return pool.workers == 0 && Self.workerProcesses(pool: "burst", data: area.data).isEmpty
        }
        let events = try await client.poolEvents(pool: "burst", limit: 100)
        let actions = events.compactMap { $0.decision?.action }
        #expect(actions.contains { if case .scaleUp = $0 { true } else { false } })
        #expect(actions.contains { if case .drain = $0 { true } else { false } })
        #expect(events.allSatisfy { $0.error == nil }, "\(events.compactMap(\.error))")

        // A minimum starts a worker with nothing queued; when its server dies without warning, the worker leaves.
        _ = try await client.resizePool("burst", PoolResize(minWorkers: 1))
        try await waitFor("the minimum worker", timeout: .seconds(60)) {
            let registered = try await client.pool("burst").workers
            return Self.workerProcesses(pool: "burst", data: area.data).count == 1 && registered == 1
        }
        server.crash()
        try await waitFor("the orphaned worker to exit", timeout: .seconds(30)) {
            Self.workerProcesses(pool: "burst", data: area.data).isEmpty
        }
    }

    /// A spot interruption carried out by the local actuator: the server starts a spot pool's minimum worker in the
    /// spot part; when that process is killed -9 (as a provider reclaims an instance, without a drain), the pool
    /// manager counts an interruption and the replacement is started in the on-demand part, registers as such, and
    /// runs the pool's work.
    @Test func aKilledSpotWorkerIsReplacedOnDemandForTheBackoff() async throws {
        let area = try TestArea("spot")
        defer { area.cleanUp() }
        let server = try Self.server(
            in: area,
            autoscaler:
                #"{"interval_seconds": 0.5, "worker_timeout_seconds": 6, "spot_interruption_backoff_seconds": 600}"#
        )
        defer { Self.stop(server, in: area) }
        try await server.start()
        let client = server.client
        _ = try await client.createPool(
            PoolRequest(
                name: "spotty", kind: .cpu, minWorkers: 1, maxWorkers: 2, spot: true, slotsPerWorker: 1,
                scaling: PoolScalingTargets(backlogPerWorker: 1, scaleDownStabilizationSeconds: 60, cooldownSeconds: 0))
        )

        // The minimum worker is bought as spot.
        var spotWorker: WorkerRecord?
        try await waitFor("the spot worker to register", timeout: .seconds(90)) {
            spotWorker = try await client.workers().first { $0.pool == "spotty" }
            return spotWorker != nil
        }
        let interrupted = try #require(spotWorker)
        #expect(interrupted.capacityType == .spot)
        #expect(Self.workerProcesses(pool: "spotty", data: area.data) == [interrupted.pid])

        // The provider takes it back.
        kill(interrupted.pid, SIGKILL)
        var replacement: WorkerRecord?
        try await waitFor("an on-demand replacement to register", timeout: .seconds(90)) {
            replacement = try await client.workers().first { $0.pool == "spotty" && $0.id != interrupted.id }
            return replacement != nil
        }
        #expect(replacement?.capacityType == .onDemand)
        let cmdline = FileManager.default.contents(atPath: "/proc/\(replacement?.pid ?? 0)/cmdline") ?? Data()
        #expect(String(decoding: cmdline, as: UTF8.self).contains("--capacity-type\u{0}on-demand"))

        let events = try await client.poolEvents(pool: "spotty", limit: 100)
        let scaleUps = events.compactMap { event -> (spot: Bool, rules: [String])? in
            guard let decision = event.decision, case .scaleUp(_, _, let spot) = decision.action else { return nil }
            return (spot, decision.rules.map(\.rawValue))
        }
        // Newest first: the replacement on-demand, after an interruption; the first worker spot.
        #expect(scaleUps.first?.spot == false)
        #expect(scaleUps.first?.rules.contains("spot_interrupted") == true, "\(scaleUps)")
        #expect(scaleUps.last?.spot == true)

        // The replacement runs the pool's work.
        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 1)
        let job = try await client.submit(JobRequest(input: "file://" + clip.path, preset: "web-360p", pool: "spotty"))
        try await waitFor("the job to finish", timeout: .seconds(90)) {
            try await client.job(job.id).state.isTerminal
        }
        let done = try await client.job(job.id)
        #expect(done.state == .succeeded, "\(done.error?.message ?? "")")
        #expect(done.worker == replacement?.id)
    }

    /// A `spool serve` with one CPU slot of its own, autoscaling created pools with this configuration.
    static func server(in area: TestArea, autoscaler configuration: String) throws -> SpoolServerProcess {
        let settings = area.root.appendingPathComponent("autoscaler.json")
        try Data(configuration.utf8).write(to: settings)
        return try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: [
                "--pools", "cpu", "--cpu-slots", "1", "--autoscaler-config", settings.path, "--shutdown-grace", "2",
            ])
    }

    /// Stops the server and kills anything left that it started (its workers name the data folder).
    static func stop(_ server: SpoolServerProcess, in area: TestArea) {
        server.stop()
        for pid in TestMedia.processes(containing: area.data.path) { kill(pid, SIGKILL) }
    }

    static func workerProcesses(pool: String, data: URL) -> [Int32] {
        TestMedia.processes(containing: "--pool\u{0}\(pool)").filter {
            let cmdline = FileManager.default.contents(atPath: "/proc/\($0)/cmdline") ?? Data()
            return String(decoding: cmdline, as: UTF8.self).contains(data.path)
        }
    }

    func waitFor(_ what: String, timeout: Duration, _ probe: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await probe()) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}
