import CircuitBreaking
import Logging
import NIOPosix
import Synchronization
import TestSupport
import Testing

@testable import RESPClient

@Suite struct BackoffAndBreakerTests {
    @Test func backoffGrowsExponentiallyUpToTheMaximum() {
        let backoff = RedisBackoff(initial: .milliseconds(50), maximum: .seconds(1), multiplier: 2, jitter: 0)
        let delays = (1...8).map { backoff.ceilingDelay(forAttempt: $0) }
        #expect(
            delays == [50, 100, 200, 400, 800, 1000, 1000, 1000].map { Duration.milliseconds($0) }
        )
        var generator = SeededGenerator(seed: 1)
        #expect(backoff.delay(forAttempt: 3, using: &generator) == .milliseconds(200))
        #expect(backoff.ceilingDelay(forAttempt: 10_000) == .seconds(1))
    }

    @Test func jitterStaysWithinItsFractionAndVaries() {
        let backoff = RedisBackoff(initial: .milliseconds(100), maximum: .seconds(10), multiplier: 2, jitter: 0.5)
        var generator = SeededGenerator(seed: 42)
        for attempt in 1...6 {
            let ceiling = backoff.ceilingDelay(forAttempt: attempt)
            let samples = (0..<200).map { _ in backoff.delay(forAttempt: attempt, using: &generator) }
            #expect(samples.allSatisfy { $0 <= ceiling && $0 >= ceiling / 2 })
            #expect(Set(samples).count > 150, "jitter must spread clients out")
        }
    }

    @Test func breakerOpensAfterConsecutiveFailuresAndProbesAfterCoolDown() {
        var breaker = CircuitBreaker(failureThreshold: 3, coolDown: .seconds(5))
        #expect(breaker.decide(now: .zero) == .proceed)
        breaker.recordFailure(now: .seconds(1), reason: "refused")
        breaker.recordFailure(now: .seconds(1), reason: "refused")
        #expect(breaker.decide(now: .seconds(1)) == .proceed)
        breaker.recordFailure(now: .seconds(2), reason: "refused")
        #expect(breaker.state == .open(until: .seconds(7)))
        #expect(breaker.decide(now: .seconds(3)) == .reject(retryAfter: .seconds(4)))
        #expect(breaker.lastFailure == "refused")

        // After the cool-down exactly one probe goes through.
        #expect(breaker.decide(now: .seconds(7)) == .probe)
        #expect(breaker.decide(now: .seconds(7)) == .reject(retryAfter: .seconds(5)))
        breaker.recordFailure(now: .seconds(8), reason: "still refused")
        #expect(breaker.state == .open(until: .seconds(13)))

        #expect(breaker.decide(now: .seconds(13)) == .probe)
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.decide(now: .seconds(13)) == .proceed)
    }

    @Test func successResetsTheFailureCount() {
        var breaker = CircuitBreaker(failureThreshold: 2, coolDown: .seconds(1))
        breaker.recordFailure(now: .zero, reason: "x")
        breaker.recordSuccess()
        breaker.recordFailure(now: .zero, reason: "x")
        #expect(breaker.decide(now: .zero) == .proceed)
    }

    @Test func anAbandonedProbeLetsTheNextCallerProbe() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(1))
        breaker.recordFailure(now: .zero, reason: "x")
        #expect(breaker.decide(now: .seconds(1)) == .probe)
        breaker.recordAbandoned(now: .seconds(1))
        #expect(breaker.decide(now: .seconds(1)) == .probe)
    }

    /// The factory against a port nobody listens on: real "connection refused", time from a manual clock.
    @Test func factoryBacksOffWithJitterThenTheBreakerFailsFast() async throws {
        let clock = ManualClock()
        let port = try FreePort.find(clusterBus: false)
        let endpoint = RedisEndpoint(host: "127.0.0.1", port: port)
        let connects = Atomic<Int>(0)
        let pool = RedisConnectionPool.Configuration(
            connectAttempts: 3,
            reconnectBackoff: RedisBackoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.5),
            circuitBreakerThreshold: 3,
            circuitBreakerCoolDown: .seconds(10)
        )
        let factory = RedisConnectionFactory(
            endpoint: endpoint,
            connectionConfiguration: RedisConnection.Configuration(),
            poolConfiguration: pool,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            time: TimeSource(clock),
            logger: Logger(label: "test"),
            connector: {
                connects.add(1, ordering: .relaxed)
                return try await RedisConnection.connect(to: endpoint)
            }
        )

        let first = Task { try await factory.makeConnection() }
        for expectedSleeps in 1...2 {
            await clock.waitForSleeper()
            #expect(clock.requestedSleeps.count == expectedSleeps)
            clock.advance(by: .seconds(1))
        }
        let error = await #expect(throws: RedisError.self) { try await first.value }
        guard case .connectionFailed(_, let attempts, _) = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(attempts == 3)
        #expect(
            "\(error!)" == "cannot connect to redis at \(endpoint) after 3 attempts: connection refused — "
                + "is redis-server running and listening on port \(port)?")
        let sleeps = clock.requestedSleeps
        #expect(sleeps[0] >= .milliseconds(50) && sleeps[0] <= .milliseconds(100))
        #expect(sleeps[1] >= .milliseconds(100) && sleeps[1] <= .milliseconds(200))
        #expect(connects.load(ordering: .relaxed) == 3)

        // Breaker open: fails fast without touching the network.
        let fast = await #expect(throws: RedisError.self) { try await factory.makeConnection() }
        guard case .circuitOpen(_, let retryAfter, let lastFailure) = fast else {
            Issue.record("expected circuitOpen, got \(String(describing: fast))")
            return
        }
        #expect(retryAfter <= .seconds(10))
        #expect(lastFailure.contains("connection refused"))
        #expect(connects.load(ordering: .relaxed) == 3)

        // After the cool-down one probe goes out; it fails, so the breaker opens again at once.
        clock.advance(by: .seconds(10))
        await #expect(throws: RedisError.self) { try await factory.makeConnection() }
        #expect(connects.load(ordering: .relaxed) == 4)
        await #expect(throws: RedisError.self) { try await factory.makeConnection() }
        #expect(connects.load(ordering: .relaxed) == 4)
        guard case .open = factory.breakerState else {
            Issue.record("breaker should be open, is \(factory.breakerState)")
            return
        }
    }
}
