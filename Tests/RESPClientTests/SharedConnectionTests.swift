import TestSupport
import Testing

@testable import RESPClient

/// Commands that need no connection of their own share a few, pipelined, instead of each leasing one: a real
/// `redis-server` counts the clients and answers every caller its own reply.
@Suite(.timeLimit(.minutes(3))) struct SharedConnectionTests {
    @Test func concurrentCallersShareAFewConnectionsAndGetTheirOwnReplies() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        try await withPool(server.endpoint, .init(maxConnections: 16, sharedConnections: 2)) { pool in
            // The first two calls open the two shared connections; later ones use them.
            for _ in 0..<2 { _ = try await pool.withSharedConnection { try await $0.send(["PING"]) } }
            #expect(pool.statistics == .init(open: 2, idle: 0, leased: 0, connecting: 0, waiting: 0, shared: 2))

            let replies = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await pool.withSharedConnection { try await $0.send(["INCR", "counter"]).int ?? -1 }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Each caller got the reply to its own INCR: 200 distinct counts, none lost or handed to another.
            #expect(replies.sorted() == Array(1...200))
            #expect(pool.statistics == .init(open: 2, idle: 0, leased: 0, connecting: 0, waiting: 0, shared: 2))
            let clients = try await withConnection(to: server.endpoint) { try await $0.send(["CLIENT", "LIST"]) }
            // The two shared connections and the one asking.
            #expect(clients.string?.split(whereSeparator: \.isNewline).count == 3)
        }
    }

    @Test func aTimedOutSharedConnectionIsReplacedAndClosed() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        try await withPool(server.endpoint, .init(maxConnections: 2, sharedConnections: 1)) { pool in
            _ = try await pool.withSharedConnection { try await $0.send(["SET", "k", "v"]) }
            let error = try await whileWritesArePaused(on: server.endpoint) {
                await #expect(throws: RedisError.self) {
                    try await pool.withSharedConnection {
                        try await $0.send(["SET", "k", "w"], timeout: .milliseconds(200))
                    }
                }
            }
            guard case .timeout = error else {
                Issue.record("expected a timeout, got \(String(describing: error))")
                return
            }
            // The broken connection is dropped on the next call, which opens a new shared one.
            let reply = try await pool.withSharedConnection { try await $0.send(["GET", "k"], timeout: .seconds(10)) }
            #expect(["v", "w"].contains(reply.string))
            #expect(pool.statistics == .init(open: 1, idle: 0, leased: 0, connecting: 0, waiting: 0, shared: 1))
        }
    }

    @Test func sharedConnectionsUnusedForAWhileAreCheckedBeforeReuse() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let clock = ManualClock()
        let configuration = RedisConnectionPool.Configuration(
            maxConnections: 1, sharedConnections: 1, idleTimeout: .seconds(30), healthCheckAfterIdle: .seconds(10))
        try await withPool(server.endpoint, configuration, clock: clock) { pool in
            _ = try await pool.withSharedConnection { try await $0.send(["PING"]) }
            #expect(pool.statistics.shared == 1)

            // Unused past healthCheckAfterIdle: it joins the idle connections, which are PINGed before reuse.
            clock.advance(by: .seconds(11))
            pool.pruneIdleConnections()
            #expect(pool.statistics == .init(open: 1, idle: 1, leased: 0, connecting: 0, waiting: 0, shared: 0))

            // With no room for another connection and the idle one due a check, the call leases it (and PINGs it);
            // once it is idle again after that use, the next call shares it.
            #expect(try await pool.withSharedConnection { try await $0.send(["ECHO", "a"]) }.string == "a")
            #expect(pool.statistics == .init(open: 1, idle: 1, leased: 0, connecting: 0, waiting: 0, shared: 0))
            #expect(try await pool.withSharedConnection { try await $0.send(["ECHO", "b"]) }.string == "b")
            #expect(pool.statistics == .init(open: 1, idle: 0, leased: 0, connecting: 0, waiting: 0, shared: 1))
        }
    }

    @Test func noSharedConnectionsMeansEveryCallLeasesItsOwn() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        try await withPool(server.endpoint, .init(maxConnections: 4, sharedConnections: 0)) { pool async throws in
            #expect(try await pool.withSharedConnection { try await $0.send(["PING"]) } == .simpleString("PONG"))
            #expect(pool.statistics == .init(open: 1, idle: 1, leased: 0, connecting: 0, waiting: 0, shared: 0))
        }
    }

    /// `SELECT` (like `MULTI` or `SUBSCRIBE`) changes the state of the connection it runs on; on a shared one it would
    /// move every other caller's commands to another database. It runs on a connection of its own, closed after it.
    @Test func commandsThatChangeTheConnectionNeverReachASharedOne() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        var configuration = RedisConfiguration(endpoints: [server.endpoint], mode: .standalone)
        configuration.pool.maxConnections = 2
        configuration.pool.sharedConnections = 1
        try await withClient(configuration) { redis in
            _ = try await redis.send(["SET", "n", "0"])
            #expect(try await redis.send(["SELECT", "1"]).string == "OK")
            _ = try await redis.pipeline([["SELECT", "1"], ["SET", "in-one", "x"]])
            for _ in 0..<20 { _ = try await redis.send(["INCR", "n"]) }
        }
        try await withConnection(to: server.endpoint) { direct in
            // Every INCR went to database 0, and only the pipeline that selected database 1 wrote there.
            #expect(try await direct.send(["GET", "n"]).string == "20")
            #expect(try await direct.send(["EXISTS", "in-one"]).int == 0)
            _ = try await direct.send(["SELECT", "1"])
            #expect(try await direct.send(["EXISTS", "in-one"]).int == 1)
        }
    }
}
