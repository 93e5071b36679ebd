import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real redis-server on a free loopback port with its own directory, stopped by PID when the test ends.
public final class RedisServerProcess {
    public let port: Int
    public let directory: URL
    let arguments: [String]
    private var process: Process?

    /// - Parameters:
    ///   - appendOnly: AOF with `appendfsync always`, the durability Spool documents: every acknowledged write is on
    ///     disk before Redis answers.
    ///   - clusterNode: a Redis Cluster node (its bus port, port + 10000, must be free too).
    public init(directory: URL? = nil, appendOnly: Bool = false, clusterNode: Bool = false) throws {
        self.directory =
            directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "spool-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        port = try FreePort.find(clusterBus: clusterNode)
        var arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--dir", self.directory.path]
        arguments += appendOnly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]
        if clusterNode {
            arguments += [
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
            ]
        }
        self.arguments = arguments
        try start()
    }

    public var url: String { "redis://127.0.0.1:\(port)" }

    /// Starts (or restarts, after `kill9`) the server on the same port and directory.
    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["redis-server"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    public func waitUntilReady() async throws {
        for _ in 0..<200 {
            if (try? await cli(["ping"]))?.contains("PONG") == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportFailure(
            "redis-server did not answer on port \(port); is it installed (apt-get install redis-server)?")
    }

    /// Runs redis-cli against this server and returns what it printed.
    @discardableResult
    public func cli(_ arguments: [String]) async throws -> String {
        try await TestCommand.run("redis-cli", ["-p", "\(port)"] + arguments).stdout
    }

    /// kill -9: no chance to flush anything, as in a crash.
    public func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    public func stop() {
        kill9()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { kill9() }
}

/// Six real redis-servers joined into a Redis Cluster (three masters, one replica each) with redis-cli, as the
/// Redis docs build one. Stopped by PID.
public final class RedisClusterProcesses {
    public let nodes: [RedisServerProcess]

    public init() async throws {
        var nodes: [RedisServerProcess] = []
        for _ in 0..<6 { nodes.append(try RedisServerProcess(clusterNode: true)) }
        self.nodes = nodes
        for node in nodes { try await node.waitUntilReady() }
        let create = try await TestCommand.run(
            "redis-cli",
            ["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" } + [
                "--cluster-replicas", "1", "--cluster-yes",
            ])
        guard create.status == 0 else {
            throw TestSupportFailure("redis-cli --cluster create failed:\n\(create.stdout)\(create.stderr)")
        }
        for _ in 0..<200 {
            if (try? await nodes[0].cli(["cluster", "info"]))?.contains("cluster_state:ok") == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportFailure("the cluster did not reach cluster_state:ok")
    }

    public func stop() { nodes.forEach { $0.stop() } }
}
