import Foundation
import JobStoreConformance
import Logging
import SpoolCore
import SpoolInMemoryStore
import Testing

@testable import SpoolControlPlane

@Suite struct LeadershipTests {
    let logger = Logger(label: "leadership-test")

    @Test func theLeaseGoesToOneCandidateAndTheTokenGrowsWithEachNewHolder() async throws {
        let time = TestTime(JobStoreConformance.t0)
        let election = LocalLeaderElection(now: { time.now })
        #expect(try await election.acquireOrRenew(candidate: "a", ttl: .seconds(6)) == 1)
        #expect(try await election.acquireOrRenew(candidate: "b", ttl: .seconds(6)) == nil)
        #expect(try await election.acquireOrRenew(candidate: "a", ttl: .seconds(6)) == 1)
        // Released: the next candidate takes over at once, under a new token.
        try await election.release(candidate: "a")
        #expect(try await election.acquireOrRenew(candidate: "b", ttl: .seconds(6)) == 2)
        // Lapsed: b stopped renewing, so a takes over once the lease runs out (not a moment before).
        time.set(JobStoreConformance.t0.addingTimeInterval(5.9))
        #expect(try await election.acquireOrRenew(candidate: "a", ttl: .seconds(6)) == nil)
        time.set(JobStoreConformance.t0.addingTimeInterval(6))
        #expect(try await election.acquireOrRenew(candidate: "a", ttl: .seconds(6)) == 3)
        // A deposed holder learns it no longer leads.
        #expect(try await election.acquireOrRenew(candidate: "b", ttl: .seconds(6)) == nil)
    }

    @Test func leadershipHoldsTheLatestToken() async {
        let leadership = Leadership()
        #expect(leadership.current == nil)
        leadership.update(1)
        #expect(leadership.current == 1)
        #expect(Leadership.alone().current == 1)
    }

    /// Two managers share one store; only the one holding the current token keeps house.
    @Test func onlyTheHolderOfTheCurrentTokenActs() async throws {
        let t0 = JobStoreConformance.t0
        let time = TestTime(t0.addingTimeInterval(100))
        let election = LocalLeaderElection(now: { time.now })
        let store = InMemoryJobStore()
        let clock = ManualClock()
        let (leadershipA, leadershipB) = (Leadership(), Leadership())
        let leaseA = LeaderLease(
            election: election, candidate: "a", leadership: leadershipA, clock: clock, logger: logger)
        let leaseB = LeaderLease(
            election: election, candidate: "b", leadership: leadershipB, clock: clock, logger: logger)
        let (sweeperA, sweeperB) = (CountingSweeper(), CountingSweeper())
        func housekeeping(_ leadership: Leadership, _ sweeper: CountingSweeper) -> HousekeepingService<ManualClock> {
            HousekeepingService(
                store: store, housekeeper: .cluster(workerTimeout: .seconds(15)), sweeper: sweeper,
                leadership: leadership, interval: .seconds(2), clock: clock, logger: logger, now: { time.now })
        }

        #expect(await leaseA.renew(previous: nil) == 1)
        #expect(await leaseB.renew(previous: nil) == nil)
        #expect(leadershipA.current == 1)
        #expect(leadershipB.current == nil)

        // A job whose lease ran out long ago.
        let first = try await store.submit(JobStoreConformance.spec(), now: t0).job
        _ = try #require(try await JobStoreConformance.claim(store, by: "w1", at: 1))

        let a = Task { try await housekeeping(leadershipA, sweeperA).run() }
        let b = Task { try await housekeeping(leadershipB, sweeperB).run() }
        #expect(await eventually { clock.sleepers == 2 && sweeperA.sweeps.current == 1 })
        #expect(try await store.job(first.id)?.state == .queued)
        #expect(sweeperB.sweeps.current == 0)

        // The lease changes hands: a is deposed, b takes over under token 2.
        let second = try await store.submit(JobStoreConformance.spec(), now: t0).job
        _ = try #require(try await JobStoreConformance.claim(store, by: "w2", at: 2))
        #expect(try await store.job(second.id)?.state == .running)
        try await election.release(candidate: "a")
        #expect(await leaseB.renew(previous: nil) == 2)
        #expect(await leaseA.renew(previous: 1) == nil)
        #expect(leadershipA.current == nil)
        clock.advance(by: .seconds(2))
        #expect(await eventually { sweeperB.sweeps.current == 1 && clock.sleepers == 2 })
        #expect(try await store.job(second.id)?.state == .queued)
        #expect(sweeperA.sweeps.current == 1)

        a.cancel()
        b.cancel()
        try await a.value
        try await b.value
    }
}
