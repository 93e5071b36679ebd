import JobStoreConformance
import RESPClient
import ServiceLifecycle
import SpoolCore
import Synchronization
import TestSupport
import Testing

@testable import SpoolRedis

/// The scheduler's wake list against a real redis-server: gateways and workers leave one token, the leader takes it,
/// a standby leaves it alone.
@Suite struct SchedulerWakeUpsTests {
    func store(_ server: RedisServerProcess, namespace: String) -> (RedisJobStore, RedisClient) {
        let client = server.client()
        let store = RedisJobStore(
            client: client, namespace: namespace, shards: 2, lifecycle: JobStoreConformance.lifecycle)
        return (store, client)
    }

    @Test func tokensCoalesceExpireAndAreTakenOnce() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let (store, client) = store(server, namespace: "wake")
        await store.wakeScheduler()
        await store.wakeScheduler()
        await store.wakeScheduler()
        // Three wake-ups leave one token, which lasts five seconds.
        #expect(try await client.send(["LLEN", "wake:scheduler:wake"]).int == 1)
        let ttl = try await client.send(["PTTL", "wake:scheduler:wake"]).int ?? -1
        #expect(ttl > 0 && ttl <= 5000, "PTTL \(ttl)")
        await store.wakeScheduler()
        #expect(try await store.waitForSchedulerWakeUp(seconds: 5))
        // Taken: the next wait times out empty.
        #expect(try await store.waitForSchedulerWakeUp(seconds: 1) == false)
        await client.close()
    }

    /// The relay sends this process's news as a token; the leader's listener turns the token into a wake-up of its
    /// cycle. While the listener's process stands by, it does not take the token (the leader would miss it).
    @Test func aRelayedWakeUpReachesTheLeaderNotAStandby() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let (store, client) = store(server, namespace: "relay")
        let news = WorkSignal()
        let cycle = WorkSignal()
        let leading = Mutex(false)
        let relay = SchedulerWakeUpRelay(store: store, news: news, clock: ContinuousClock())
        let listener = SchedulerWakeUps(
            store: store, signal: cycle, isLeading: { leading.withLock { $0 } }, logger: .init(label: "test"))
        let services = Task {
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                group.addTask { try await listener.run() }
                try? await group.waitForAll()
            }
        }
        // Standing by: the relayed token stays in Redis for the leader. (A wake-up is best effort and a loaded machine
        // may drop one, so news keeps coming until a token is there; then none comes, and the token must outlast the
        // standby's look at its leadership, once a second, well inside its five seconds.)
        var length = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while length == 0, ContinuousClock.now < deadline {
            news.notify()
            try await Task.sleep(for: .milliseconds(20))
            length = try await client.send(["LLEN", "relay:scheduler:wake"]).int ?? 0
        }
        #expect(length == 1, "the relay never left a token")
        let seen = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(1500))
        let left = try await client.send(["LLEN", "relay:scheduler:wake"]).int
        // Past four and a half seconds (a stalled test process) the token may have expired on its own.
        if ContinuousClock.now - seen < .milliseconds(4500) { #expect(left == 1, "a standby took the leader's token") }
        // Leading: news wakes the cycle. (The listener looks at its leadership once a second, and on a loaded machine
        // the standby's token may expire first: news keeps coming until the cycle wakes.)
        leading.withLock { $0 = true }
        let woken = Mutex(false)
        let cycleWaits = Task {
            await cycle.wait()
            woken.withLock { $0 = true }
        }
        let patience = ContinuousClock.now + .seconds(30)
        while !woken.withLock({ $0 }), ContinuousClock.now < patience {
            news.notify()
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(woken.withLock { $0 }, "the leader's cycle never woke")
        cycleWaits.cancel()
        services.cancel()
        await services.value
        await client.close()
    }
}
