import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Any `spool` subcommand (gateway, worker, manager) as a real process, its output in a log file, killed by PID.
final class SpoolProcess {
    let name: String
    let logFile: URL
    private(set) var process: Process?

    init(_ name: String, arguments: [String], logDirectory: URL) throws {
        self.name = name
        logFile = logDirectory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        let process = Process()
        process.executableURL = try SpoolBinary.url()
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    var pid: Int32 { process?.processIdentifier ?? 0 }
    var isRunning: Bool { process?.isRunning ?? false }

    func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`.
    func waitForLog(_ text: String, timeout: Duration = .seconds(30)) async throws {
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

/// A real redis-server for the distributed tests, on a free loopback port, killed by PID.
final class RedisProcess {
    let port: Int
    let directory: URL
    let appendOnly: Bool
    private var process: Process?

    init(directory: URL, appendOnly: Bool = false) throws {
        self.directory = directory
        self.appendOnly = appendOnly
        port = try FreePort.find()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    var url: String { "redis://127.0.0.1:\(port)" }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = [
            "redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--dir", directory.path,
        ]
        // Durability as Spool documents it: every acknowledged write is on disk before Redis answers.
        arguments += appendOnly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    func waitUntilReady() async throws {
        for _ in 0..<200 {
            let ping = Process()
            ping.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            ping.arguments = ["redis-cli", "-p", "\(port)", "ping"]
            let out = Pipe()
            ping.standardOutput = out
            ping.standardError = FileHandle.nullDevice
            try ping.run()
            let answer = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            ping.waitUntilExit()
            if answer.contains("PONG") { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure(
            "redis-server did not answer on port \(port); is it installed (apt-get install redis-server)?")
    }

    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { kill9() }
}
