import Foundation
import SpoolClient
import SpoolCore
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A real `spool serve` process on a free loopback port, with its own data directory. Stopped by PID when the test
/// ends, whatever happened.
final class SpoolServerProcess {
    let dataDirectory: URL
    let inputRoot: URL
    let port: Int
    let logFile: URL
    private(set) var process: Process?
    let extraArguments: [String]
    let environment: [String: String]

    init(dataDirectory: URL, inputRoot: URL, extraArguments: [String] = [], environment: [String: String] = [:]) throws
    {
        self.environment = environment
        self.dataDirectory = dataDirectory
        self.inputRoot = inputRoot
        self.port = try FreePort.find()
        self.logFile = dataDirectory.deletingLastPathComponent().appendingPathComponent(
            "serve-\(UUID().uuidString.prefix(6)).log")
        self.extraArguments = extraArguments
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var client: SpoolClient { SpoolClient(server: url, timeout: 30) }
    var pid: Int32 { process?.processIdentifier ?? 0 }

    func start(readyTimeout: Duration = .seconds(60)) async throws {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = try SpoolBinary.url()
        process.arguments =
            [
                "serve", "--data", dataDirectory.path, "--port", "\(port)", "--input-root", inputRoot.path,
                "--log-level", "info",
            ] + extraArguments
        process.standardOutput = log
        process.standardError = log
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        try process.run()
        self.process = process
        try await waitUntilReady(timeout: readyTimeout)
    }

    func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let process, !process.isRunning {
                throw TestFailure("spool serve exited with \(process.terminationStatus):\n\(log())")
            }
            if let (status, _, _) = try? await client.get("/ready"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("spool serve did not become ready:\n\(log())")
    }

    /// `/ready`'s answer, whatever it is, once the server listens: for servers that are meant not to be ready (on a
    /// loaded machine one may not even listen yet when a short `start` gives up).
    func readiness(timeout: Duration = .seconds(60)) async throws -> (status: Int, body: Data) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let process, !process.isRunning {
                throw TestFailure("spool serve exited with \(process.terminationStatus):\n\(log())")
            }
            if let (status, body, _) = try? await client.get("/ready") { return (status, body) }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("spool serve never listened:\n\(log())")
    }

    /// kill -9: no chance to clean up, as in a crash.
    func crash() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGTERM and wait for the exit status.
    func terminate() async -> Int32 {
        guard let process else { return 0 }
        kill(process.processIdentifier, SIGTERM)
        let status = await process.exitStatus()
        self.process = nil
        return status
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    deinit { stop() }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum SpoolBinary {
    /// The `spool` executable built beside the test bundle, or $SPOOL_BINARY.
    static func url() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["SPOOL_BINARY"] { return URL(fileURLWithPath: path) }
        var candidates: [URL] = []
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("spool"))
            directory = directory.deletingLastPathComponent()
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/spool"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestFailure("no spool binary; run `swift build` first (looked in \(candidates.map(\.path)))")
        }
        return found
    }
}
