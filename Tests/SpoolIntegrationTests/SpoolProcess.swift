import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Any `spool` subcommand (gateway, worker, manager) as a real process, its output in a log file, killed by PID.
final class SpoolProcess {
    let name: String
    let logFile: URL
    private(set) var process: Process?

    init(_ name: String, arguments: [String], logDirectory: URL, environment: [String: String] = [:]) throws {
        self.name = name
        logFile = logDirectory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        let process = Process()
        process.executableURL = try SpoolBinary.url()
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    var pid: Int32 { process?.processIdentifier ?? 0 }
    var isRunning: Bool { process?.isRunning ?? false }

    func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`. The limit catches a hang, not slowness: a debug binary starting on a
    /// loaded 2-core machine has taken 30 s to print its banner.
    func waitForLog(_ text: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if log().contains(text) { return }
            if !isRunning { throw TestFailure("\(name) exited before printing '\(text)':\n\(log())") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("\(name) did not print '\(text)' within \(timeout):\n\(log())")
    }

    func signal(_ signal: Int32) { if let process { kill(process.processIdentifier, signal) } }

    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
