import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Spool as separate processes sharing one real redis-server: gateways, workers and managers, with real kills.
@Suite(.serialized) struct DistributedIntegrationTests {
    let area: TestArea
    var root: URL { area.root }
    var inputs: URL { area.inputs }
    var data: URL { area.data }

    init() throws { area = try TestArea("dist") }

    func cleanUp() { area.cleanUp() }

    func common(_ redis: RedisServerProcess) -> [String] { ["--redis", redis.url, "--data", data.path] }

    func gateway(_ name: String, _ redis: RedisServerProcess) async throws -> (SpoolProcess, SpoolClient) {
        let port = try FreePort.find()
        let process = try SpoolProcess(
            name, arguments: ["gateway"] + common(redis) + ["--port", "\(port)", "--input-root", inputs.path],
            logDirectory: root)
        try await process.waitForLog("spool gateway http://")
        return (process, SpoolClient(server: URL(string: "http://127.0.0.1:\(port)")!, timeout: 10))
    }

    func worker(
        _ name: String, _ redis: RedisServerProcess, inputRoot: String? = nil, extra: [String] = []
    ) async throws -> SpoolProcess {
        let process = try SpoolProcess(
            name,
            arguments: ["worker"] + common(redis) + [
                "--pool", "cpu", "--slots", "1", "--lease-seconds", "3", "--input-root", inputRoot ?? inputs.path,
                "--shutdown-grace", "1",
            ] + extra,
            logDirectory: root)
        try await process.waitForLog("spool worker wrk_")
        return process
    }

    func manager(_ name: String, _ redis: RedisServerProcess) throws -> SpoolProcess {
        try SpoolProcess(
            name, arguments: ["manager"] + common(redis) + ["--lease-ttl", "3", "--worker-timeout", "5"],
            logDirectory: root)
    }

    /// Submits a job that encodes for several seconds and returns once a worker reports progress on it.
    func submitRunningJob(via submitter: SpoolClient, watchedBy watcher: SpoolClient) async throws -> JobView {
        let clip = inputs.appendingPathComponent("mid.mp4")
        try await TestMedia.makeClip(at: clip, size: "1280x720", seconds: 10, rate: 30)
        let job = try await submitter.submit(
            JobRequest(input: "file://" + clip.path, outputs: [try OutputShorthand.parse("o=mp4,height=720,crf=18")]))
        return try await watcher.waitFor(job.id) { $0.state == .running && $0.progress > 0 }
    }

    /// A worker started with another --input-root than the gateway refuses the gateway's file:// jobs once, saying
    /// which roots it has and what to change; no symlink is blamed and nothing is retried.
    @Test func aWorkerWithOtherInputRootsSaysSoAndDoesNotRetry() async throws {
        defer { cleanUp() }
        let redis = try RedisServerProcess(directory: root.appendingPathComponent("redis"))
        try await redis.waitUntilReady()
        let (gatewayProcess, client) = try await gateway("gateway", redis)
        defer { withExtendedLifetime(gatewayProcess) {} }
        let elsewhere = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let workerProcess = try await worker(
            "worker-elsewhere", redis, inputRoot: elsewhere.path, extra: ["--dispatch", "pull"])
        defer { withExtendedLifetime(workerProcess) {} }
        let clip = inputs.appendingPathComponent("short.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 1)
        let job = try await client.waitFor(
            try await client.submit(JobRequest(input: "file://" + clip.path, preset: "web-360p")).id)
        #expect(job.state == .failed && job.error?.code == .invalidInput, "\(job.error?.message ?? "")")
        #expect(job.attempts == 1, "a refusal by the rules is not retried")
        let message = job.error?.message ?? ""
        #expect(message.contains("--input-root") && message.contains(elsewhere.path) && !message.contains("symlink"))

        // The mismatch shows before any job: the worker says its roots when it starts, and the gateway's /ready warns
        // (still 200: a gateway out of its balancer would help nobody), naming the worker and both sets of roots.
        #expect(workerProcess.log().contains("file:// inputs from: \(elsewhere.path)"))
        let (status, body, _) = try await client.get("/ready")
        let readiness = try JSONDecoder().decode(ReadinessView.self, from: body)
        let warning = readiness.warnings?["input_roots"] ?? ""
        #expect(status == 200 && warning.contains(elsewhere.path) && warning.contains(inputs.path), "\(readiness)")
        #expect(gatewayProcess.log().contains("give the gateways and every worker the same --input-root"))
    }

    /// Placement: with a manager, a job is placed on a worker, runs there, and explains itself through any gateway;
    /// a worker started with --dispatch pull needs no manager at all.
    @Test func theManagerPlacesAndPullWorkersNeedNone() async throws {
        defer { cleanUp() }
        let redis = try RedisServerProcess(directory: root.appendingPathComponent("redis"))
        try await redis.waitUntilReady()
        let (gatewayProcess, client) = try await gateway("gateway", redis)
        defer { withExtendedLifetime(gatewayProcess) {} }
        let clip = inputs.appendingPathComponent("short.mp4")
        try await TestMedia.makeClip(at: clip)
        let request = JobRequest(input: "file://" + clip.path, outputs: [try OutputShorthand.parse("o=mp4,height=144")])

        let placedWorker = try await worker("worker-placed", redis)
        let manager = try manager("manager", redis)
        try await manager.waitForLog("leading")
        let placed = try await client.waitFor(try await client.submit(request).id, timeout: .seconds(120)) {
            $0.state.isTerminal
        }
        #expect(placed.state == .succeeded, "\(placedWorker.log())\n\(manager.log())")
        let explanation = try await client.placement(placed.id)
        #expect(explanation.outcome == .placed && explanation.chosen?.worker == placed.worker)
        manager.signal(SIGTERM)
        placedWorker.signal(SIGTERM)
        _ = await manager.process?.exitStatus()
        _ = await placedWorker.process?.exitStatus()

        let puller = try await worker("worker-pull", redis, extra: ["--dispatch", "pull"])
        let pulled = try await client.waitFor(try await client.submit(request).id, timeout: .seconds(120)) {
            $0.state.isTerminal
        }
        #expect(pulled.state == .succeeded, "\(puller.log())")
        // No manager runs now: the pull worker took it itself.
        #expect(puller.log().contains(pulled.worker?.rawValue ?? "no worker"))
    }

    /// A manager beside pull workers places jobs on them too; a pull worker takes its placements as well as the
    /// pool's unplaced jobs (it once never looked at them, and such jobs waited for ever: 200 no-op jobs never ended).
    @Test func aPullWorkerTakesWhatAManagerPlacedOnIt() async throws {
        defer { cleanUp() }
        let redis = try RedisServerProcess(directory: root.appendingPathComponent("redis"))
        try await redis.waitUntilReady()
        let (gatewayProcess, client) = try await gateway("gateway", redis)
        defer { withExtendedLifetime(gatewayProcess) {} }
        let manager = try manager("manager", redis)
        defer { withExtendedLifetime(manager) {} }
        try await manager.waitForLog("leading")
        let puller = try await worker(
            "worker-pull", redis, extra: ["--dispatch", "pull", "--executor", "noop", "--slots", "16"])
        defer { withExtendedLifetime(puller) {} }
        let input = inputs.appendingPathComponent("never-read.mp4")
        try Data("the noop executor does not read inputs".utf8).write(to: input)
        var submitted: [JobID] = []
        for index in 0..<200 {
            submitted.append(
                try await client.submit(
                    JobRequest(input: "file://" + input.path, preset: "web-360p", idempotencyKey: "pull-\(index)")
                ).id)
        }
        var placedOnThePuller = 0
        for id in submitted {
            let ended = try await client.waitFor(id, timeout: .seconds(60)) { $0.state.isTerminal }
            #expect(ended.state == .succeeded)
            if (try? await client.placement(id))?.outcome == .placed { placedOnThePuller += 1 }
        }
        #expect(placedOnThePuller > 0, "the manager placed nothing: this test did not test what it names")
    }

    /// kill -9 of the worker running a job: the job is redelivered to another worker after its lease and completes
    /// once; both gateways see the same jobs; the orphaned ffmpeg is stopped.
    @Test func aKilledWorkersJobIsRedeliveredAndCompletesOnce() async throws {
        defer { cleanUp() }
        let redis = try RedisServerProcess(directory: root.appendingPathComponent("redis"))
        try await redis.waitUntilReady()
        let (gatewayA, clientA) = try await gateway("gateway-a", redis)
        let (gatewayB, clientB) = try await gateway("gateway-b", redis)
        let manager = try manager("manager", redis)
        try await manager.waitForLog("leading")
        let first = try await worker("worker-1", redis)
        let job = try await submitRunningJob(via: clientA, watchedBy: clientB)
        #expect(job.attempts == 1)
        let second = try await worker("worker-2", redis)
        first.kill9()

        let final = try await clientB.waitFor(job.id, timeout: .seconds(180)) { $0.state.isTerminal }
        #expect(final.state == .succeeded, "\(final.error?.message ?? "")\n\(manager.log())")
        #expect(final.attempts == 2)
        #expect(second.log().contains(job.id.rawValue) || final.worker == nil)
        #expect(manager.log().contains("requeued"))
        #expect(TestMedia.processes(containing: job.id.rawValue + "/a1").isEmpty, "the orphaned ffmpeg was stopped")
        let outputs = try FileManager.default.contentsOfDirectory(
            atPath: data.appendingPathComponent("outputs/\(job.id.rawValue)").path)
        #expect(outputs == ["o.mp4"])
        #expect(try await clientA.jobs().jobs.map(\.id) == [job.id])
        withExtendedLifetime((gatewayA, gatewayB, second)) {}
    }

    /// A worker that is paused past its lease comes back to find its job redelivered: its late work is refused (at its
    /// next heartbeat or at its commit, whichever comes first) and its files are removed; the job completes once.
    @Test func aLateWorkersCommitIsRefused() async throws {
        defer { cleanUp() }
        let redis = try RedisServerProcess(directory: root.appendingPathComponent("redis"))
        try await redis.waitUntilReady()
        let (gatewayProcess, client) = try await gateway("gateway", redis)
        defer { withExtendedLifetime(gatewayProcess) {} }
        let manager = try manager("manager", redis)
        try await manager.waitForLog("leading")
        let late = try await worker("worker-late", redis)
        let job = try await submitRunningJob(via: client, watchedBy: client)
        late.signal(SIGSTOP)
        let other = try await worker("worker-other", redis)
        let final = try await client.waitFor(job.id, timeout: .seconds(180)) { $0.state.isTerminal }
        #expect(final.state == .succeeded)
        #expect(final.attempts == 2)
        late.signal(SIGCONT)
        try await late.waitForLog("discarding", timeout: .seconds(30))
        #expect(try await client.job(job.id).state == .succeeded)
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("work/\(job.id.rawValue)").path))
        withExtendedLifetime(other) {}
    }

    /// SIGTERM: the worker stops taking jobs, hands its running job back after the grace period and exits 0; another
    /// worker restarts the job within seconds, with no failure counted.
    @Test func sigtermHandsTheJobToAnotherWorkerWithinSeconds() async throws {
        defer { cleanUp() }
        let redis = try RedisServerProcess(directory: root.appendingPathComponent("redis"))
        try await redis.waitUntilReady()
        let (gatewayProcess, client) = try await gateway("gateway", redis)
        defer { withExtendedLifetime(gatewayProcess) {} }
        // The manager places jobs; workers take only what it placed on them.
        let manager = try manager("manager", redis)
        defer { withExtendedLifetime(manager) {} }
        try await manager.waitForLog("leading")
        let leaving = try await worker("worker-leaving", redis)
        let job = try await submitRunningJob(via: client, watchedBy: client)
        let staying = try await worker("worker-staying", redis)
        leaving.signal(SIGTERM)
        let handedBackAt = ContinuousClock.now
        let restarted = try await client.waitFor(job.id, timeout: .seconds(30)) {
            $0.attempts == 2 && $0.state == .running
        }
        #expect(ContinuousClock.now - handedBackAt < .seconds(10))
        #expect(restarted.error == nil)
        #expect(await leaving.process?.exitStatus() == 0)
        let final = try await client.waitFor(job.id, timeout: .seconds(120)) { $0.state.isTerminal }
        #expect(final.state == .succeeded)
        withExtendedLifetime(staying) {}
    }

    @Test func managersTakeOverWithinTenSeconds() async throws {
        defer { cleanUp() }
        let redis = try RedisServerProcess(directory: root.appendingPathComponent("redis"))
        try await redis.waitUntilReady()
        let first = try manager("manager-1", redis)
        try await first.waitForLog("leading")
        let second = try manager("manager-2", redis)
        try await second.waitForLog("started")
        #expect(!second.log().contains("leading"))
        let killedAt = ContinuousClock.now
        first.kill9()
        try await second.waitForLog("leading (token 2)", timeout: .seconds(10))
        #expect(ContinuousClock.now - killedAt < .seconds(10))
    }

    /// Redis down: the API answers 503 with Retry-After within a second; it recovers by itself when Redis returns.
    /// With AOF (appendfsync always) a kill -9 of redis-server loses no acknowledged submission.
    @Test func redisOutagesAnswer503AndAcknowledgedJobsSurviveAKill() async throws {
        defer { cleanUp() }
        let redis = try RedisServerProcess(directory: root.appendingPathComponent("redis"), appendOnly: true)
        try await redis.waitUntilReady()
        let (gatewayProcess, client) = try await gateway("gateway", redis)
        defer { withExtendedLifetime(gatewayProcess) {} }
        // No worker runs here: the jobs only need to be stored.
        let input = "file://" + inputs.appendingPathComponent("waiting.mp4").path
        try Data("not decoded in this test".utf8).write(to: inputs.appendingPathComponent("waiting.mp4"))
        var acknowledged: [JobID] = []
        for index in 0..<20 {
            let job = try await client.submit(
                JobRequest(input: input, preset: "web-360p", idempotencyKey: "k\(index)"))
            acknowledged.append(job.id)
        }
        redis.kill9()
        let askedAt = ContinuousClock.now
        let down = try await client.get("/v1/jobs")
        #expect(down.status == 503)
        #expect(down.headers["retry-after"] == "1")
        #expect(ContinuousClock.now - askedAt < .seconds(1))

        try redis.start()
        try await redis.waitUntilReady()
        var listed: [JobID] = []
        for _ in 0..<50 {
            if let page = try? await client.jobs(limit: 100) {
                listed = page.jobs.map(\.id)
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Set(listed) == Set(acknowledged))
        // Out of memory (noeviction): submissions are refused with 503 and Retry-After, not a 500 or a hang.
        try await redis.cli(["config", "set", "maxmemory", "1"])
        do {
            _ = try await client.submit(JobRequest(input: input, preset: "web-360p"))
            Issue.record("a submission was accepted by a Redis out of memory")
        } catch ClientError.problem(let problem) {
            #expect(problem.status == 503)
            #expect(problem.detail.contains("OOM"))
        }
        try await redis.cli(["config", "set", "maxmemory", "0"])
        // The idempotency keys survived too: a retry after the outage returns the same job.
        let again = try await client.submit(JobRequest(input: input, preset: "web-360p", idempotencyKey: "k0"))
        #expect(again.id == acknowledged[0])
    }
}
