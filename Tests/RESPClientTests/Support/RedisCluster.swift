import Foundation
import TestSupport
import Testing

@testable import RESPClient

/// Six real `redis-server`s joined into a cluster of three masters with one replica each, the way the Redis docs
/// build one: `redis-cli --cluster create … --cluster-replicas 1`.
final class RedisCluster: Sendable {
    let ports: [Int]
    let servers: [RedisServer]

    var endpoints: [RedisEndpoint] { ports.map { RedisEndpoint(host: "127.0.0.1", port: $0) } }

    private init(servers: [RedisServer]) {
        self.servers = servers
        self.ports = servers.map(\.port)
    }

    static func start() async throws -> RedisCluster {
        var handles: [RedisServer] = []
        do {
            for _ in 0..<6 {
                let server = try await RedisServer.start(
                    [
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000",
                    ],
                    clusterBusPort: true
                )
                handles.append(server)
            }
            let cluster = RedisCluster(servers: handles)
            try await cluster.create()
            try await cluster.waitUntilHealthy()
            return cluster
        } catch {
            for handle in handles { handle.stop() }
            throw error
        }
    }

    private func create() async throws {
        let created = try await TestCommand.run(
            "/usr/bin/redis-cli",
            ["--cluster", "create"] + ports.map { "127.0.0.1:\($0)" } + ["--cluster-replicas", "1", "--cluster-yes"])
        guard created.status == 0 else {
            throw RedisServerError("redis-cli --cluster create failed:\n" + created.stdout + created.stderr)
        }
    }

    /// Every node must say `cluster_state:ok` and agree that all slots are served. A node learns the others' roles
    /// by gossip, which on a CI machine loaded by a parallel test run took longer than 20 s once (stop 31): up to 60 s
    /// are allowed, and a failure says what was still missing.
    private func waitUntilHealthy() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var missing: [String] = []
        while ContinuousClock.now < deadline {
            missing = []
            for endpoint in endpoints {
                let info = try? await withConnection(to: endpoint) { try await $0.send(["CLUSTER", "INFO"]) }
                let text = info?.string ?? ""
                if !text.contains("cluster_state:ok") || !text.contains("cluster_slots_ok:16384") {
                    missing.append("\(endpoint.port): not ok")
                }
                // Replicas are announced by gossip after the slots; wait until every node knows all three.
                let nodes = try? await withConnection(to: endpoint) { try await $0.send(["CLUSTER", "NODES"]) }
                let replicas = (nodes?.string ?? "").split(whereSeparator: \.isNewline).filter {
                    $0.split(separator: " ").dropFirst(2).first?.contains("slave") == true
                }
                if replicas.count != 3 { missing.append("\(endpoint.port): knows \(replicas.count) of 3 replicas") }
            }
            if missing.isEmpty { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RedisServerError(
            "cluster on ports \(ports) did not reach cluster_state:ok within 60s: \(missing.joined(separator: "; "))")
    }

    /// The masters that serve slots, as the first node reports them.
    func masters() async throws -> [RedisEndpoint] {
        let slots = try await withConnection(to: endpoints[0]) { try await $0.send(["CLUSTER", "SLOTS"]) }
        return try ClusterSlotMap(clusterSlots: slots, replyingHost: "127.0.0.1").masters
    }

    /// First half of moving a slot, as `redis-cli --cluster reshard` does it: the target imports, the source migrates.
    /// In between, the source answers ASK for keys it no longer has.
    func beginMigration(slot: Int, from source: RedisEndpoint, to target: RedisEndpoint) async throws {
        let sourceID = try await nodeID(source)
        let targetID = try await nodeID(target)
        try await expectOK(target, ["CLUSTER", "SETSLOT", .init(slot), "IMPORTING", .init(sourceID)])
        try await expectOK(source, ["CLUSTER", "SETSLOT", .init(slot), "MIGRATING", .init(targetID)])
    }

    /// Second half: moves `keys`, then assigns the slot to the target on every master, after which the source
    /// answers MOVED.
    func finishMigration(slot: Int, keys: [String], from source: RedisEndpoint, to target: RedisEndpoint) async throws {
        if !keys.isEmpty {
            try await expectOK(
                source,
                ["MIGRATE", .init(target.host), .init(target.port), "", 0, 5000, "KEYS"] + keys.map { RESPArgument($0) }
            )
        }
        let targetID = try await nodeID(target)
        for master in try await masters() {
            try await expectOK(master, ["CLUSTER", "SETSLOT", .init(slot), "NODE", .init(targetID)])
        }
    }

    private func nodeID(_ endpoint: RedisEndpoint) async throws -> String {
        let reply = try await withConnection(to: endpoint) { try await $0.send(["CLUSTER", "MYID"]) }
        guard let id = reply.string else { throw RedisServerError("CLUSTER MYID answered \(reply)") }
        return id
    }

    private func expectOK(_ endpoint: RedisEndpoint, _ command: [RESPArgument]) async throws {
        let reply = try await withConnection(to: endpoint) { try await $0.send(command) }
        guard reply == .simpleString("OK") else {
            throw RedisServerError("\(command.map(\.string).joined(separator: " ")) on \(endpoint) answered \(reply)")
        }
    }

    func stop() {
        for handle in servers { handle.stop() }
    }
}

/// Starts one cluster for a whole suite and stops it when the suite ends, also when a test fails.
struct RedisClusterTrait: SuiteTrait, TestScoping {
    @TaskLocal static var current: RedisCluster?

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let cluster = try await RedisCluster.start()
        defer { cluster.stop() }
        try await Self.$current.withValue(cluster) {
            try await function()
        }
    }
}

extension Trait where Self == RedisClusterTrait {
    static var redisCluster: Self { RedisClusterTrait() }
}
