import Foundation
import Testing

@testable import RESPClient

/// `ReplicaAcknowledgement` against a real master and replica: a write is reported done only once the replica has it,
/// and a write no replica confirms fails with `notReplicated` although it ran on the master.
/// Three minutes: a replica's first sync took over a minute once on a loaded CI machine.
@Suite(.timeLimit(.minutes(3))) struct ReplicaAcknowledgementTests {
    @Test func writesWaitForTheReplicaAndSayWhenNoneConfirms() async throws {
        let master = try await RedisServer.start(["--repl-diskless-sync-delay", "0"])
        defer { master.stop() }
        let replica = try await RedisServer.start(["--replicaof", "127.0.0.1", "\(master.port)"])
        defer { replica.stop() }
        try await waitUntilLinked(replica)
        try await waitUntilAcknowledging(master)

        var configuration = RedisConfiguration(endpoints: [master.endpoint], mode: .standalone)
        configuration.replicaAcknowledgement = ReplicaAcknowledgement(replicas: 1, timeout: .seconds(3))
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        try await withClient(configuration) { redis in
            #expect(try await redis.run(script: script, keys: ["jobs"], arguments: [5]).int == 5)
            #expect(try await redis.send(["SET", "pool", "gpu"], replicated: true) == .simpleString("OK"))
            // Acknowledged means the replica has it: read it there, without waiting.
            let copied = try await withClient(RedisConfiguration(endpoints: [replica.endpoint], mode: .standalone)) {
                copy -> [String?] in
                [try await copy.send(["GET", "jobs"]).string, try await copy.send(["GET", "pool"]).string]
            }
            #expect(copied == ["5", "gpu"])

            replica.kill()
            let error = await #expect(throws: RedisError.self) {
                try await redis.run(script: script, keys: ["jobs"], arguments: [1])
            }
            guard case .notReplicated(let command, let acknowledged, let required, _, _) = error else {
                Issue.record("expected notReplicated, got \(String(describing: error))")
                return
            }
            #expect(command == "EVALSHA" && acknowledged == 0 && required == 1)
            #expect("\(error!)".contains("a failover now could lose it"))
            // It ran on the master all the same: the caller must treat it like a timeout.
            #expect(try await redis.send(["GET", "jobs"]).string == "6")
            // Reads, and writes not asked to wait, do not depend on the replica.
            #expect(try await redis.run(script: RedisScript("return 7"), writes: false).int == 7)
            #expect(try await redis.send(["SET", "scratch", "1"]) == .simpleString("OK"))
        }
    }

    @Test func theWaitCommandFollowsTheWriteWithItsTimeoutInMilliseconds() {
        #expect(ReplicaAcknowledgement(replicas: 2, timeout: .milliseconds(1500)).command == ["WAIT", 2, 1500])
        #expect(ReplicaAcknowledgement(replicas: 0).replicas == 1)
    }

    /// Until the master has the replica's acknowledgement of what it holds: a replica reports its link up before it
    /// first acknowledges, and a WAIT in between counts it out (seen on a loaded machine).
    private func waitUntilAcknowledging(_ master: RedisServer) async throws {
        try await withClient(RedisConfiguration(endpoints: [master.endpoint], mode: .standalone)) { redis in
            for _ in 0..<30 {
                if try await redis.send(["WAIT", 1, 1000]).int == 1 { return }
            }
            Issue.record("the replica never acknowledged its master")
        }
    }

    private func waitUntilLinked(_ replica: RedisServer) async throws {
        try await withClient(RedisConfiguration(endpoints: [replica.endpoint], mode: .standalone)) { redis in
            for _ in 0..<200 {
                if try await redis.send(["INFO", "replication"]).string?.contains("master_link_status:up") == true {
                    return
                }
                try await Task.sleep(for: .milliseconds(25))
            }
            Issue.record("the replica never linked to its master")
        }
    }
}
