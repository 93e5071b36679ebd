import Foundation
import SpoolActuators
import SpoolCore
import SpoolSQLite
import Testing

/// The local actuator with real `spool worker` processes sharing one embedded store: scale up, run a job, drain;
/// workers labelled with their capacity type.
@Suite struct LocalWorkerSupervisorTests {
    @Test func startsWorkersThatTakeJobsAndDrainsThemCleanly() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "spool-supervisor-\(UUID().uuidString)")
        let data = root.appendingPathComponent("data")
        let inputs = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let supervisor = LocalWorkerSupervisor(
            launch: .init(
                executable: try SpoolBinary.url(),
                arguments: { pool in
                    [
                        "worker", "--data", data.path, "--pool", pool, "--slots", "1", "--dispatch", "pull",
                        "--input-root", inputs.path, "--shutdown-grace", "2",
                    ]
                }, logDirectory: root))
        // Whatever happens, no worker outlives the test.
        defer { supervisor.killAll() }
        let store = try SQLiteJobStore(path: DataLayout(root: data.path).database)

        try await supervisor.scaleUp(pool: "cpu", by: 2)
        #expect(try await supervisor.workerCount(pool: "cpu") == 2)
        let registered = try await waitFor("two workers to register") {
            let workers = try await store.workers().filter { $0.pool == "cpu" }
            return workers.count == 2 ? workers : nil
        }
        #expect(Set(registered.map(\.pid)) == Set(supervisor.pids(pool: "cpu")))

        let clip = inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip)
        let job = try await store.submit(
            JobSpec(input: .file(path: clip.path), outputs: Presets.named("web-360p")!.outputs), now: Date()
        ).job
        let done = try await waitFor("the job to finish") {
            let current = try await store.job(job.id)
            return current?.state.isTerminal == true ? current : nil
        }
        #expect(done.state == .succeeded)
        #expect(registered.map(\.id).contains(done.worker ?? WorkerID(rawValue: "none")))

        // Only processes it started: a stranger's pid is refused and nothing is signalled.
        let host = ProcessInfo.processInfo.hostName
        await #expect(throws: ActuatorError.self) {
            try await supervisor.drain(pool: "cpu", workers: [WorkerAddress(host: host, pid: 1)])
        }
        #expect(!supervisor.controls(WorkerAddress(host: "elsewhere", pid: registered[0].pid), pool: "cpu"))
        try await supervisor.drain(
            pool: "cpu", workers: supervisor.pids(pool: "cpu").map { WorkerAddress(host: host, pid: $0) })
        _ = try await waitFor("the workers to drain and exit") {
            try await supervisor.workerCount(pool: "cpu") == 0 ? true : nil
        }
        #expect(try await store.workers().isEmpty)
    }

    /// In a pool with a spot part each worker is started with its part's `--capacity-type`, registers with it, and
    /// is counted in that part only.
    @Test func workersCarryTheCapacityTypeTheyWereStartedWith() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "spool-supervisor-\(UUID().uuidString)")
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let supervisor = LocalWorkerSupervisor(
            launch: .init(
                executable: try SpoolBinary.url(),
                arguments: { pool in
                    [
                        "worker", "--data", data.path, "--pool", pool, "--slots", "1", "--dispatch", "pull",
                        "--shutdown-grace", "2",
                    ]
                }, logDirectory: root))
        defer { supervisor.killAll() }
        let store = try SQLiteJobStore(path: DataLayout(root: data.path).database)

        try await supervisor.scaleUp(pool: "cpu", by: 1, capacity: .spot)
        try await supervisor.scaleUp(pool: "cpu", by: 1, capacity: .onDemand)
        #expect(try await supervisor.workerCount(pool: "cpu", capacity: .spot) == 1)
        #expect(try await supervisor.workerCount(pool: "cpu", capacity: .onDemand) == 1)
        #expect(try await supervisor.workerCount(pool: "cpu") == 2)
        let registered = try await waitFor("two workers to register") {
            let workers = try await store.workers().filter { $0.pool == "cpu" }
            return workers.count == 2 ? workers : nil
        }
        let byPid = Dictionary(uniqueKeysWithValues: registered.map { ($0.pid, $0.capacityType) })
        #expect(byPid[try #require(supervisor.pids(pool: "cpu", capacity: .spot).first)] == .spot)
        #expect(byPid[try #require(supervisor.pids(pool: "cpu", capacity: .onDemand).first)] == .onDemand)

        try await supervisor.releaseAll(pool: "cpu", capacity: .spot)
        _ = try await waitFor("the spot worker to leave") {
            try await supervisor.workerCount(pool: "cpu", capacity: .spot) == 0 ? true : nil
        }
        #expect(try await supervisor.workerCount(pool: "cpu", capacity: .onDemand) == 1)
        try await supervisor.releaseAll(pool: "cpu")
        _ = try await waitFor("every worker to leave") {
            try await supervisor.workerCount(pool: "cpu") == 0 ? true : nil
        }
    }

    func waitFor<T>(_ what: String, timeout: Duration = .seconds(60), _ probe: () async throws -> T?) async throws -> T
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}
