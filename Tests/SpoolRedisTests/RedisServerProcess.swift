import Foundation
import RESPClient

#if canImport(Glibc)
    import Glibc
#endif

/// A real redis-server on a free loopback port with its own directory, stopped by PID when the test ends.
final class RedisServerProcess {
    let port: Int
    let directory: URL
    private var process: Process?

    init(appendOnly: Bool = false, extraArguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "spool-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Cluster nodes also listen on port + 10000 (the cluster bus), so stay below 55536 and check that one too.
        var candidate = try Self.freePort()
        while candidate > 55_000 || !Self.isFree(candidate + 10_000) { candidate = try Self.freePort() }
        port = candidate
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly",
                appendOnly ? "yes" : "no",
                "--dir", directory.path, "--daemonize", "no",
            ] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    func client() -> RedisClient {
        RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: port, mode: .standalone))
    }

    func waitUntilReady() async throws {
        let probe = client()
        defer { Task { await probe.close() } }
        for _ in 0..<100 {
            if (try? await probe.send(["PING"])) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RedisTestFailure(
            "redis-server did not start on port \(port); is it installed (apt-get install redis-server)?")
    }

    func stop() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process = nil
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard result == 0 else { throw RedisTestFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct RedisTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
