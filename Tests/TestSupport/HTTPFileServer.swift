import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real HTTP server on loopback serving a directory (Python's http.server), standing in for a remote origin.
/// Stopped by PID.
public final class HTTPFileServer {
    public let port: Int
    private let process: Process

    public init(directory: URL) throws {
        port = try FreePort.find()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", directory.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    public func waitUntilServing() async throws {
        for _ in 0..<100 {
            if let url = URL(string: "http://127.0.0.1:\(port)/"), (try? Data(contentsOf: url)) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw NotServing(port: port)
    }

    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

public struct NotServing: Error, CustomStringConvertible {
    public var port: Int
    public var description: String { "python3 -m http.server did not start on port \(port)" }
}
