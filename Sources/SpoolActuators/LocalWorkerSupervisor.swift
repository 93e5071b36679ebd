import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Starts and stops `spool worker` processes on this machine: the embedded default actuator. Draining is SIGTERM,
/// on which a worker stops taking jobs, finishes or hands back what it runs, deregisters and exits 0. Only processes
/// this supervisor started are ever signalled.
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

    let launch: Launch
    private let running = Mutex<[String: [Int32: ProcessHandle]]>([:])

    /// Keeps the `Process` object alive for as long as the child runs; Foundation reaps it.
    final class ProcessHandle: Sendable {
        let process: Mutex<Process?>
        init(_ process: Process) { self.process = Mutex(process) }
        var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }
    }

    public init(launch: Launch) {
        self.launch = launch
    }

    public func workerCount(pool: String) async -> Int {
        running.withLock { running in
            running[pool] = running[pool]?.filter { $0.value.isRunning }
            return running[pool]?.count ?? 0
        }
    }

    /// Process IDs of the workers of `pool` this supervisor runs.
    public func pids(pool: String) -> [Int32] {
        running.withLock { running in (running[pool] ?? [:]).filter { $0.value.isRunning }.keys.sorted() }
    }

    public func scaleUp(pool: String, by count: Int) async throws(ActuatorError) {
        for _ in 0..<max(0, count) {
            let process = Process()
            process.executableURL = launch.executable
            process.arguments = launch.arguments(pool)
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
            let handle = ProcessHandle(process)
            running.withLock { $0[pool, default: [:]][process.processIdentifier] = handle }
        }
    }

    public func drain(pool: String, pids: [Int32]) async throws(ActuatorError) {
        let known = running.withLock { running in pids.filter { running[pool]?[$0] != nil } }
        let strangers = Set(pids).subtracting(known)
        guard strangers.isEmpty else {
            throw ActuatorError(
                "process(es) \(strangers.sorted()) are not workers of pool \(pool) this supervisor started; "
                    + "nothing was signalled")
        }
        for pid in known { kill(pid, SIGTERM) }
    }

    /// Kills every worker it started, at once (SIGKILL): for cleanup when the supervisor itself is abandoned, where
    /// nothing can wait for a graceful drain.
    public func killAll() {
        let all = running.withLock { running in running.values.flatMap { $0 } }
        for (pid, handle) in all where handle.isRunning { kill(pid, SIGKILL) }
    }
}
