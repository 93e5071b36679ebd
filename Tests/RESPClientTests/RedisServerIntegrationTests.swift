import NIOCore
import TestSupport
import Testing

@testable import RESPClient

/// Each test starts its own `redis-server` on a free port, so the tests run in parallel.
// The limit guards against a hang, not a slow run: on a loaded 2-core CI machine two of these took about a minute.
@Suite(.timeLimit(.minutes(3))) struct RedisServerIntegrationTests {
    private func configuration(
        _ server: RedisServer,
        _ adjust: (inout RedisConfiguration) -> Void = { _ in }
    ) -> RedisConfiguration {
        var configuration = RedisConfiguration(endpoints: [server.endpoint], mode: .automatic)
        // Far above a reply's milliseconds: a test process on a loaded 2-core machine can leave a reply unread for
        // seconds. The tests of timeouts pass their own, shorter ones.
        configuration.connection.commandTimeout = .seconds(10)
        adjust(&configuration)
        return configuration
    }

    @Test func setGetIncrAndTypedErrors() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        try await withClient(configuration(server)) { redis in
            #expect(try await redis.resolvedMode() == .standalone)
            #expect(try await redis.send(["SET", "greeting", "hello"]) == .simpleString("OK"))
            #expect(try await redis.send(["GET", "greeting"]).string == "hello")
            #expect(try await redis.send(["GET", "missing"]).isNull)
            #expect(try await redis.send(["INCR", "counter"]).int == 1)
            #expect(try await redis.send(["INCRBY", "counter", 41]).int == 42)

            let binary: [UInt8] = [0, 13, 10, 255, 0]
            try await redis.send(["SET", "blob", RESPArgument(bytes: binary)])
            #expect(try await redis.send(["GET", "blob"]).bytes == binary)

            let error = await #expect(throws: RedisError.self) { try await redis.send(["INCR", "greeting"]) }
            guard case .reply(let reply) = error else {
                Issue.record("expected a reply error, got \(String(describing: error))")
                return
            }
            #expect(reply.code == "ERR")
            let wrongType = await #expect(throws: RedisError.self) { try await redis.send(["LPUSH", "greeting", "x"]) }
            guard case .reply(let typed) = wrongType else { return }
            #expect(typed.code == "WRONGTYPE")
            #expect("\(wrongType!)".contains("check the key name"))
            let raw = try await redis.send(["LPUSH", "greeting", "x"], raw: true)
            #expect(raw.errorMessage?.hasPrefix("WRONGTYPE") == true)
            await #expect(throws: RedisError.self) { try await redis.send([]) }
        }
    }

    @Test func resp3HandshakeWithAuthSelectAndName() async throws {
        let server = try await RedisServer.start(["--requirepass", "s3cret"])
        defer { server.stop() }
        try await withClient(
            configuration(server) {
                $0.connection.protocolVersion = .resp3
                $0.connection.password = "s3cret"
                $0.connection.database = 3
                $0.connection.clientName = "resp-tests"
            }
        ) { redis in
            try await redis.send(["HSET", "h", "a", "1", "b", "2"])
            let hash = try await redis.send(["HGETALL", "h"])
            guard case .map = hash else {
                Issue.record("RESP3 HGETALL should be a map, got \(hash)")
                return
            }
            #expect(hash.dictionary?["b"]?.string == "2")
            #expect(try await redis.send(["GET", "missing"]) == .null)
            #expect(try await redis.send(["SISMEMBER", "nosuchset", "x"]).bool == false)
            #expect(try await redis.send(["CLIENT", "GETNAME"]).string == "resp-tests")
            #expect(try await redis.send(["CLIENT", "INFO"]).string?.contains("db=3") == true)
        }
        // Without the password the commands fail with NOAUTH; with a wrong one the handshake fails, fast.
        try await withClient(configuration(server) { $0.mode = .standalone }) { redis in
            let error = await #expect(throws: RedisError.self) { try await redis.send(["GET", "x"]) }
            guard case .reply(let reply) = error else { return }
            #expect(reply.code == "NOAUTH")
        }
        try await withClient(
            configuration(server) {
                $0.mode = .standalone; $0.connection.password = "wrong"
            }
        ) { redis in
            let error = await #expect(throws: RedisError.self) { try await redis.send(["GET", "x"]) }
            guard case .handshakeFailed(_, let command, let reply) = error else {
                Issue.record("expected handshakeFailed, got \(String(describing: error))")
                return
            }
            #expect(command == "AUTH")
            #expect(reply.code == "WRONGPASS")
        }
    }

    @Test func pipelinesAThousandCommandsInOrder() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        // One connection that 20 tasks queue for: the wait is long so a loaded machine tests order, not speed.
        try await withClient(
            configuration(server) {
                $0.pool.maxConnections = 1
                $0.pool.acquireTimeout = .seconds(120)
                $0.connection.commandTimeout = .seconds(60)
            }
        ) { redis in
            let commands: [[RESPArgument]] = (0..<1000).map { _ in ["INCR", "counter"] }
            let results = try await redis.pipeline(commands)
            #expect(try results.map { try $0.get().int } == Array(1...1000))

            // An error reply fails only its own command.
            let mixed = try await redis.pipeline([["SET", "s", "text"], ["INCR", "s"], ["GET", "s"]])
            #expect(try mixed[0].get() == .simpleString("OK"))
            #expect(throws: RedisError.self) { try mixed[1].get() }
            #expect(try mixed[2].get().string == "text")

            // Many tasks pipelining over the same connections at once still get their own replies.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<20 {
                    group.addTask {
                        let key = RESPArgument("task:\(task)")
                        let replies = try await redis.pipeline((0..<50).map { _ in ["INCR", key] })
                        #expect(try replies.map { try $0.get().int } == Array(1...50))
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func scriptsSurviveAFlushedScriptCache() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        try await withClient(configuration(server)) { redis in
            #expect(try await redis.send(["SCRIPT", "LOAD", .init(script.source)]).string == script.sha1)
            #expect(try await redis.run(script: script, keys: ["n"], arguments: [5]).int == 5)
            try await redis.send(["SCRIPT", "FLUSH"])
            #expect(try await redis.send(["SCRIPT", "EXISTS", .init(script.sha1)]).array == [.integer(0)])
            #expect(try await redis.run(script: script, keys: ["n"], arguments: [2]).int == 7)
            // EVAL cached it again, so the next call is a plain EVALSHA.
            #expect(try await redis.send(["SCRIPT", "EXISTS", .init(script.sha1)]).array == [.integer(1)])
            let failing = RedisScript("return redis.error_reply('BOOM custom failure')")
            let error = await #expect(throws: RedisError.self) { try await redis.run(script: failing) }
            guard case .reply(let reply) = error else { return }
            #expect(reply.code == "BOOM")
        }
    }

    @Test func blockingPopRunsOnItsOwnConnectionWhileOtherCommandsProceed() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        // One ordinary connection only: if BLPOP held it, the GETs below could not run.
        try await withClient(configuration(server) { $0.pool.maxConnections = 1 }) { redis in
            // Had BLPOP held the only connection, these would wait out its block and the pop below would come back
            // empty instead of with the pushed job: the reply proves it, with no clock in the test.
            // The block outlasts the 100 round trips below even on a loaded machine (a CI run beside other work).
            let popped = Task { try await redis.send(["BLPOP", "jobs", 90]) }
            for index in 0..<100 {
                try await redis.send(["SET", "k\(index)", .init(index)])
                #expect(try await redis.send(["GET", "k\(index)"]).int == index)
            }
            // Wait until the BLPOP is really blocked on the server before pushing.
            for _ in 0..<200 {
                if try await redis.send(["INFO", "clients"]).string?.contains("blocked_clients:1") == true { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            try await redis.send(["LPUSH", "jobs", "job-1"])
            let reply = try await popped.value
            #expect(reply.array?.map(\.string) == ["jobs", "job-1"])

            // An empty wait ends with a null reply, not a timeout error.
            #expect(try await redis.blocking(["BLPOP", "empty", 0.1]).isNull)
            // Call timeouts must be longer than the block time; forever needs an explicit timeout.
            await #expect(throws: RedisError.self) {
                try await redis.blocking(["BLPOP", "q", 5], timeout: .seconds(1))
            }
            await #expect(throws: RedisError.self) { try await redis.send(["BLPOP", "q", 0]) }
            await #expect(throws: RedisError.self) { try await redis.pipeline([["BLPOP", "q", 1]]) }
        }
    }

    @Test func cancellingABlockedCallReleasesItsConnection() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        try await withClient(configuration(server)) { redis in
            let blocked = Task { try await redis.send(["BLPOP", "never", 30]) }
            // Up to 10 s for the call to block: a loaded CI machine can take more than a second to send it.
            for _ in 0..<2000 {
                if try await redis.send(["INFO", "clients"]).string?.contains("blocked_clients:1") == true { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            let started = ContinuousClock.now
            blocked.cancel()
            _ = await blocked.result
            // Far below the 30 s block: cancelling returned at once rather than waiting the block out.
            #expect(ContinuousClock.now - started < .seconds(10))
            for _ in 0..<200 {
                if try await redis.send(["INFO", "clients"]).string?.contains("blocked_clients:0") == true { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(try await redis.send(["INFO", "clients"]).string?.contains("blocked_clients:0") == true)
            // A later push is not lost to the cancelled call.
            try await redis.send(["LPUSH", "never", "x"])
            #expect(try await redis.send(["LLEN", "never"]).int == 1)
        }
    }

    @Test func aTimeoutBreaksOnlyItsConnectionAndThePoolRecovers() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        try await withClient(configuration(server) { $0.pool.maxConnections = 2 }) { redis in
            try await redis.send(["SET", "k", "v"])
            // A write pause holds every write until it is lifted by hand, so however slowly a busy machine sends the
            // SET below, it meets the pause (a timed pause or a DEBUG SLEEP could end first). CLIENT UNPAUSE is not a
            // write, so it gets through.
            let pauser = try await RedisConnection.connect(to: server.endpoint)
            #expect(try await pauser.send(["CLIENT", "PAUSE", "30000", "WRITE"]).string == "OK")
            let error = await #expect(throws: RedisError.self) {
                try await redis.send(["SET", "k", "w"], timeout: .milliseconds(200))
            }
            _ = try await pauser.send(["CLIENT", "UNPAUSE"])
            await pauser.close()
            guard case .timeout(let command, let after, _) = error else {
                Issue.record("expected timeout, got \(String(describing: error))")
                return
            }
            #expect(command == "SET" && after == .milliseconds(200))
            #expect("\(error!)".contains("may or may not have run"))
            // The timed-out connection was discarded, so the next calls get a good one. Whether the held SET ran once
            // the pause was lifted is exactly the "may or may not have run" the error warns about.
            for _ in 0..<5 { #expect(["v", "w"].contains(try await redis.send(["GET", "k"]).string)) }
        }
    }

    @Test func poolDiscardsTimedOutConnections() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let pool = RedisConnectionPool(endpoint: server.endpoint, configuration: .init(maxConnections: 1))
        do {
            #expect(try await pool.withConnection { try await $0.send(["PING"]) } == .simpleString("PONG"))
            try await whileWritesArePaused(on: server.endpoint) {
                await #expect(throws: RedisError.self) {
                    try await pool.withConnection { try await $0.send(["SET", "k", "v"], timeout: .milliseconds(100)) }
                }
                #expect(pool.statistics.open == 0)
            }
            // maxConnections is 1: if the broken connection had been kept, this would wait for it forever.
            let reply = try await pool.withConnection { try await $0.send(["PING"], timeout: .seconds(10)) }
            #expect(reply == .simpleString("PONG"))
            #expect(pool.statistics == .init(open: 1, idle: 1, leased: 0, connecting: 0, waiting: 0))
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    @Test func reconnectsAfterTheServerIsKilledAndRestarted() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        try await withClient(
            configuration(server) {
                $0.pool.connectAttempts = 2
                $0.pool.reconnectBackoff = RedisBackoff(initial: .milliseconds(10), maximum: .milliseconds(50))
                $0.pool.circuitBreakerThreshold = 100
            }
        ) { redis in
            try await redis.send(["SET", "k", "before"])
            server.kill()
            let error = await #expect(throws: RedisError.self) { try await redis.send(["GET", "k"]) }
            switch error {
            case .connectionClosed?, .connectionFailed?: break
            default: Issue.record("expected a connection error, got \(String(describing: error))")
            }
            try await server.restart()
            // Data is gone (no persistence), but the client is back without being recreated.
            #expect(try await redis.send(["GET", "k"]).isNull)
            #expect(try await redis.send(["SET", "k", "after"]) == .simpleString("OK"))
        }
    }

    @Test func breakerFailsFastWhileTheServerIsDownThenRecovers() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        try await withClient(
            configuration(server) {
                $0.mode = .standalone
                $0.pool.connectAttempts = 1
                $0.pool.circuitBreakerThreshold = 2
                $0.pool.circuitBreakerCoolDown = .milliseconds(300)
            }
        ) { redis in
            try await redis.send(["PING"])
            server.kill()
            // The first call may still hit the pooled connection and fail with connectionClosed; connect failures
            // after it open the breaker.
            var opened = false
            for _ in 0..<4 where !opened {
                do {
                    try await redis.send(["PING"])
                    Issue.record("PING succeeded against a killed server")
                } catch RedisError.circuitOpen {
                    opened = true
                } catch {}
            }
            #expect(opened)
            // What metrics read: this server's breaker is open.
            #expect(redis.openCircuits.map(\.port) == [server.endpoint.port])
            for _ in 0..<50 {
                let error = await #expect(throws: RedisError.self) { try await redis.send(["PING"]) }
                guard case .circuitOpen = error else {
                    Issue.record("expected circuitOpen, got \(String(describing: error))")
                    return
                }
            }
            try await server.restart()
            try await Task.sleep(for: .milliseconds(350))
            #expect(try await redis.send(["PING"]) == .simpleString("PONG"))
            #expect(redis.openCircuits.isEmpty)
        }
    }

    @Test func idleConnectionsShrinkToTheMinimumAndArePingedBeforeReuse() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let clock = ManualClock()
        let pool = RedisConnectionPool(
            endpoint: server.endpoint,
            configuration: .init(
                minConnections: 1,
                maxConnections: 4,
                idleTimeout: .seconds(30),
                healthCheckAfterIdle: .seconds(10)
            ),
            clock: clock
        )
        func pings() async throws -> Int {
            let stats = try await withConnection(to: server.endpoint) { try await $0.send(["INFO", "commandstats"]) }
            let line = stats.string?.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_ping:") }
            return line.flatMap { Int($0.split(separator: "=")[1].prefix { $0.isNumber }) } ?? 0
        }
        // The harness PINGs the server once to see that it is up.
        let basePings = try await pings()
        do {
            let leased = [try await pool.lease(), try await pool.lease(), try await pool.lease()]
            #expect(pool.statistics.open == 3)
            for connection in leased { pool.release(connection) }
            #expect(pool.statistics.idle == 3)

            // Reused right away: no health check.
            _ = try await pool.withConnection { try await $0.send(["GET", "x"]) }
            #expect(try await pings() == basePings)

            clock.advance(by: .seconds(31))
            pool.pruneIdleConnections()
            #expect(pool.statistics.open == 1)

            // Idle for longer than healthCheckAfterIdle: PINGed before it is handed out.
            _ = try await pool.withConnection { try await $0.send(["GET", "x"]) }
            #expect(try await pings() == basePings + 1)

            // A connection the server dropped while idle is never handed out.
            clock.advance(by: .seconds(11))
            _ = try await withConnection(to: server.endpoint) {
                try await $0.send(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
            }
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await pool.withConnection { try await $0.send(["ECHO", "fresh"]) }.string == "fresh")
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    @Test func clusterModeAgainstAStandaloneServerSaysWhatToChange() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        try await withClient(configuration(server) { $0.mode = .cluster }) { redis in
            let error = await #expect(throws: RedisError.self) { try await redis.send(["GET", "x"]) }
            #expect("\(error!)".contains("cluster support disabled"))
        }
    }

    @Test func errorsWhenNothingListens() async throws {
        let port = try FreePort.find(clusterBus: false)
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        configuration.pool.reconnectBackoff = RedisBackoff(initial: .milliseconds(1), maximum: .milliseconds(2))
        try await withClient(configuration) { redis in
            let error = await #expect(throws: RedisError.self) { try await redis.send(["PING"]) }
            #expect(
                "\(error!)" == "cannot connect to redis at 127.0.0.1:\(port) after 3 attempts: connection refused — "
                    + "is redis-server running and listening on port \(port)?"
            )
            #expect(error!.isSafeToRetry)
        }
    }
}
