import Foundation
import RESPClient

/// Six real redis-servers joined into a Redis Cluster (three masters, one replica each) with redis-cli, as the
/// Redis docs build one. Stopped by PID.
final class RedisClusterProcesses {
    let nodes: [RedisServerProcess]

    init() async throws {
        var nodes: [RedisServerProcess] = []
        for _ in 0..<6 {
            nodes.append(
                try RedisServerProcess(extraArguments: [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
                ]))
        }
        self.nodes = nodes
        for node in nodes { try await node.waitUntilReady() }
        let create = Process()
        create.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        create.arguments =
            ["redis-cli", "--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" } + [
                "--cluster-replicas", "1", "--cluster-yes",
            ]
        create.standardOutput = FileHandle.nullDevice
        create.standardError = FileHandle.nullDevice
        try create.run()
        create.waitUntilExit()
        guard create.terminationStatus == 0 else { throw RedisTestFailure("redis-cli --cluster create failed") }
        let probe = RedisClient(
            configuration: RedisConfiguration(host: "127.0.0.1", port: nodes[0].port, mode: .standalone))
        defer { Task { await probe.close() } }
        for _ in 0..<200 {
            if let info = try? await probe.send(["CLUSTER", "INFO"]).string, info.contains("cluster_state:ok") {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RedisTestFailure("the cluster did not reach cluster_state:ok")
    }

    func client() -> RedisClient {
        RedisClient(
            configuration: RedisConfiguration(
                endpoints: nodes.map { RedisEndpoint(host: "127.0.0.1", port: $0.port) }, mode: .cluster))
    }

    func stop() { nodes.forEach { $0.stop() } }
}
