import TestSupport
import Testing

@testable import RESPClient

/// One real six-node cluster (three masters, three replicas) shared by these tests, which therefore run one at a time.
@Suite(.serialized, .redisCluster, .timeLimit(.minutes(2)))
struct RedisClusterIntegrationTests {
    private var cluster: RedisCluster {
        get throws { try #require(RedisClusterTrait.current) }
    }

    private func configuration(_ adjust: (inout RedisConfiguration) -> Void = { _ in }) throws -> RedisConfiguration {
        // One seed is enough; the client discovers the rest from CLUSTER SLOTS.
        var configuration = RedisConfiguration(endpoints: [try cluster.endpoints[0]], mode: .automatic)
        // Far above a reply's milliseconds, as in RedisServerIntegrationTests.
        configuration.connection.commandTimeout = .seconds(10)
        adjust(&configuration)
        return configuration
    }

    @Test func discoversTheClusterAndSpreadsKeysOverAllMasters() async throws {
        let masters = try await cluster.masters()
        #expect(masters.count == 3)
        try await withClient(try configuration()) { redis in
            #expect(try await redis.resolvedMode() == .cluster)
            for index in 0..<300 {
                try await redis.send(["SET", "spread:\(index)", .init(index)])
            }
            for index in stride(from: 0, to: 300, by: 7) {
                #expect(try await redis.send(["GET", "spread:\(index)"]).int == index)
            }
        }
        for master in masters {
            let size = try await withConnection(to: master) { try await $0.send(["DBSIZE"]) }
            #expect((size.int ?? 0) > 50, "master \(master) holds \(size) keys; keys should spread over all masters")
        }
    }

    @Test func aDeadSeedIsSkipped() async throws {
        let deadPort = try FreePort.find(clusterBus: false)
        var configuration = try configuration()
        configuration.endpoints = [RedisEndpoint(host: "127.0.0.1", port: deadPort)] + (try cluster.endpoints)
        configuration.pool.connectAttempts = 1
        try await withClient(configuration) { redis in
            let reply = try await redis.send(["SET", "seeded", "yes"])
            #expect(reply == .simpleString("OK"))
        }
    }

    @Test func hashTaggedMultiKeyCommandsPipelinesAndScripts() async throws {
        try await withClient(try configuration()) { redis in
            try await redis.send(["MSET", "{user42}:name", "Ada", "{user42}:plan", "pro"])
            #expect(
                try await redis.send(["MGET", "{user42}:name", "{user42}:plan"]).array?.map(\.string) == ["Ada", "pro"])

            let script = RedisScript("return redis.call('GET', KEYS[1]) .. ':' .. redis.call('GET', KEYS[2])")
            #expect(try await redis.run(script: script, keys: ["{user42}:name", "{user42}:plan"]).string == "Ada:pro")

            // A pipeline over keys of every master comes back complete and in order.
            let commands: [[RESPArgument]] = (0..<500).map { ["SET", "pipe:\($0)", .init($0)] }
            #expect(try await redis.pipeline(commands).allSatisfy { (try? $0.get()) == .simpleString("OK") })
            let reads = try await redis.pipeline((0..<500).map { ["GET", "pipe:\($0)"] })
            #expect(try reads.map { try $0.get().int } == Array(0..<500))

            // Blocking commands are routed too, on their own connections.
            let popped = Task { try await redis.send(["BLPOP", "{user42}:queue", 5]) }
            try await Task.sleep(for: .milliseconds(50))
            try await redis.send(["RPUSH", "{user42}:queue", "job"])
            #expect(try await popped.value.array?.map(\.string) == ["{user42}:queue", "job"])
        }
    }

    @Test func crossSlotCommandsAreRefusedBeforeSending() async throws {
        try await withClient(try configuration()) { redis in
            let error = await #expect(throws: RedisError.self) {
                try await redis.send(["MSET", "cross:a", "1", "cross:b", "2"])
            }
            guard case .crossSlot(let command, let keys) = error else {
                Issue.record("expected crossSlot, got \(String(describing: error))")
                return
            }
            #expect(command == "MSET" && keys == ["cross:a", "cross:b"])
            let exists = try await redis.send(["EXISTS", "cross:a"])
            #expect(exists.int == 0, "nothing may have been sent")

            await #expect(throws: RedisError.self) {
                try await redis.run(script: RedisScript("return 1"), keys: ["{a}x", "{b}y"])
            }
            await #expect(throws: RedisError.self) {
                try await redis.pipeline([["GET", "x"], ["DEL", "{a}1", "{b}2"]])
            }
        }
    }

    /// Migrates one slot by hand, as `redis-cli --cluster reshard` does: while it is migrating the old owner
    /// answers ASK (and TRYAGAIN for multi-key commands whose keys are split); afterwards it answers MOVED.
    @Test func askDuringMigrationTryAgainThenMovedAfterIt() async throws {
        let slot = HashSlot.slot(for: "migrating")
        try await withClient(try configuration { $0.retryAttempts = 3 }) { redis in
            try await redis.send(["SET", "{migrating}:old", "1"])
            let source = try #require(redis.routedMaster(forSlot: slot))
            let target = try #require(try await cluster.masters().first { $0 != source })
            try await cluster.beginMigration(slot: slot, from: source, to: target)

            // A key the source does not have: ASK → ASKING + SET on the target; the slot map is not changed.
            #expect(try await redis.send(["SET", "{migrating}:new", "2"]) == .simpleString("OK"))
            #expect(redis.routedMaster(forSlot: slot) == source)
            let onTarget = try await withConnection(to: target) {
                try await $0.pipeline([["ASKING"], ["GET", "{migrating}:new"]])[1]
            }
            #expect(onTarget.string == "2")
            // A key the source still has is served by the source.
            #expect(try await redis.send(["GET", "{migrating}:old"]).string == "1")

            // Keys split between the nodes: TRYAGAIN, retried with backoff, then reported, never a crash.
            let error = await #expect(throws: RedisError.self) {
                try await redis.send(["MGET", "{migrating}:old", "{migrating}:new"])
            }
            guard case .retriesExhausted(let command, let attempts, let last) = error else {
                Issue.record("expected retriesExhausted, got \(String(describing: error))")
                return
            }
            #expect(command == "MGET" && attempts == 3 && last.code == "TRYAGAIN")

            try await cluster.finishMigration(slot: slot, keys: ["{migrating}:old"], from: source, to: target)

            // The client still routes the slot to the source, which now answers MOVED; the map is patched.
            #expect(redis.routedMaster(forSlot: slot) == source)
            #expect(try await redis.send(["GET", "{migrating}:old"]).string == "1")
            #expect(redis.routedMaster(forSlot: slot) == target)
            #expect(
                try await redis.send(["MGET", "{migrating}:old", "{migrating}:new"]).array?.map(\.string) == ["1", "2"])
        }
    }

    @Test func pipelinedCommandsFollowMovedToo() async throws {
        // A client that learned the map before a slot moved sends its pipeline to the old owner.
        let slot = HashSlot.slot(for: "moving-pipe")
        try await withClient(try configuration()) { redis in
            try await redis.send(["SET", "{moving-pipe}:a", "A"])
            try await redis.send(["SET", "still-here", "B"])
            let source = try #require(redis.routedMaster(forSlot: slot))
            let target = try #require(try await cluster.masters().first { $0 != source })
            try await cluster.beginMigration(slot: slot, from: source, to: target)
            try await cluster.finishMigration(slot: slot, keys: ["{moving-pipe}:a"], from: source, to: target)

            let results = try await redis.pipeline([["GET", "{moving-pipe}:a"], ["GET", "still-here"], ["PING"]])
            #expect(try results.map { try $0.get().string } == ["A", "B", "PONG"])
            #expect(redis.routedMaster(forSlot: slot) == target)
        }
    }
}
