import Foundation
import SpoolCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Starts and stops `spool worker` processes on this machine: the embedded default actuator. Draining is SIGTERM,
/// on which a worker stops taking jobs, finishes or hands back what it runs, deregisters and exits 0. Only processes
/// this supervisor started are ever signalled. In a pool with a spot part each worker is started with its part's
/// `--capacity-type`, which it registers with (`spool workers --json` shows it), and is counted in that part.
public final class LocalWorkerSupervisor: ScalingActuator {
    /// How to start one worker of a pool: the `spool` executable and its arguments.
    public struct Launch: Sendable {
        public var executable: URL
        public var arguments: @Sendable (_ pool: String) -> [String]
        /// Where each worker's output goes (one log file per worker); nil discards it.
        public var logDirectory: URL?

        public init(
            executable: URL, arguments: @escaping @Sendable (_ pool: String) -> [String], logDirectory: URL? = nil
        ) {
            self.executable = executable
            self.arguments = arguments
            self.logDirectory = logDirectory
        }
    }

    public let name = "local"
    let launch: Launch
    /// The host name workers started here register with.
    let host: String
    private let running = Mutex<[String: [Int32: ProcessHandle]]>([:])

    /// Keeps the `Process` object alive for as long as the child runs; Foundation reaps it.
    final class ProcessHandle: Sendable {
        let process: Mutex<Process?>
        let capacity: CapacityType?
        init(_ process: Process, capacity: CapacityType?) {
            self.process = Mutex(process)
            self.capacity = capacity
        }
        var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }
    }

    public init(launch: Launch, host: String = ProcessInfo.processInfo.hostName) {
        self.launch = launch
        self.host = host
    }

    /// nil counts every worker of the pool, so an undivided pool and the sum of a divided one read the same.
    public func workerCount(pool: String, capacity: CapacityType?) async throws(ActuatorError) -> Int {
        running.withLock { running in
            running[pool] = running[pool]?.filter { $0.value.isRunning }
            return running[pool]?.values.filter { capacity == nil || $0.capacity == capacity }.count ?? 0
        }
    }

    /// Process IDs of the workers of `pool` this supervisor runs (of one part only, when `capacity` is given).
    public func pids(pool: String, capacity: CapacityType? = nil) -> [Int32] {
        running.withLock { running in
            (running[pool] ?? [:]).filter { $0.value.isRunning && (capacity == nil || $0.value.capacity == capacity) }
                .keys.sorted()
        }
    }

    /// The worker command line of one worker of this part of `pool`: the launch's, labelled with its part.
    public func arguments(pool: String, capacity: CapacityType?) -> [String] {
        launch.arguments(pool) + (capacity.map { ["--capacity-type", $0.rawValue] } ?? [])
    }

    public func scaleUp(pool: String, by count: Int, capacity: CapacityType?) async throws(ActuatorError) {
        for _ in 0..<max(0, count) {
            let process = Process()
            process.executableURL = launch.executable
            process.arguments = arguments(pool: pool, capacity: capacity)
            if let directory = launch.logDirectory {
                let log = directory.appendingPathComponent("worker-\(pool)-\(UUID().uuidString.prefix(8)).log")
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                guard let handle = try? FileHandle(forWritingTo: log) else {
                    throw ActuatorError("cannot write the worker log \(log.path)")
                }
                process.standardOutput = handle
                process.standardError = handle
            } else {
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
            }
            do {
                try process.run()
            } catch {
                throw ActuatorError(
                    "cannot start \(launch.executable.path) worker --pool \(pool): \(error.localizedDescription)")
            }
            let handle = ProcessHandle(process, capacity: capacity)
            running.withLock { $0[pool, default: [:]][process.processIdentifier] = handle }
        }
    }

    public func controls(_ worker: WorkerAddress, pool: String) -> Bool {
        worker.host == host && running.withLock { $0[pool]?[worker.pid]?.isRunning ?? false }
    }

    public func drain(pool: String, workers: [WorkerAddress]) async throws(ActuatorError) {
        // A worker it started that has exited meanwhile needs nothing more; one it never started is refused.
        let strangers = workers.filter { worker in
            worker.host != host || running.withLock { $0[pool]?[worker.pid] == nil }
        }
        guard strangers.isEmpty else {
            throw ActuatorError(
                "worker(s) \(strangers.map(\.description).sorted().joined(separator: ", ")) were not started by "
                    + "this supervisor in pool \(pool); nothing was signalled")
        }
        for worker in workers where controls(worker, pool: pool) { kill(worker.pid, SIGTERM) }
    }

    /// nil releases every worker of the pool.
    public func releaseAll(pool: String, capacity: CapacityType?) async throws(ActuatorError) {
        try await drain(
            pool: pool, workers: pids(pool: pool, capacity: capacity).map { WorkerAddress(host: host, pid: $0) })
    }

    /// Drains every worker it started and waits up to `grace` for them to exit; any left are killed.
    public func ownerStopping(grace: Duration) async {
        let all = running.withLock { running in running.flatMap { pool, workers in workers.keys.map { (pool, $0) } } }
        for (_, pid) in all { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            let alive = running.withLock { running in running.values.flatMap(\.values).contains { $0.isRunning } }
            if !alive { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
        killAll()
    }

    /// Kills every worker it started, at once (SIGKILL): for cleanup when the supervisor itself is abandoned, where
    /// nothing can wait for a graceful drain.
    public func killAll() {
        let all = running.withLock { running in running.values.flatMap { $0 } }
        for (pid, handle) in all where handle.isRunning { kill(pid, SIGKILL) }
    }
}
