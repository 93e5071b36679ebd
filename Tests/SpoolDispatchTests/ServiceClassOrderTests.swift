import Foundation
import SpoolCore
import SpoolDispatch
import Testing

@Suite struct ServiceClassOrderTests {
    let jobs = [
        waiting("batch-1", serviceClass: .batch, priority: 100, enqueuedAt: 0),
        waiting("standard-1", serviceClass: .standard, enqueuedAt: 1),
        waiting("realtime-1", serviceClass: .realtime, priority: 0, enqueuedAt: 2),
        waiting("standard-2", serviceClass: .standard, enqueuedAt: 3),
        waiting("realtime-2", serviceClass: .realtime, priority: 0, enqueuedAt: 4),
        waiting("batch-2", serviceClass: .batch, priority: 100, enqueuedAt: 5),
    ]

    @Test func classesGoByRankWhenNoneIsBelowItsReservation() {
        var order = DispatchOrder()
        let ids = order.order(jobs, usage: saturatedUsage, now: at(10)).map(\.rawValue)
        #expect(ids == ["realtime-1", "realtime-2", "standard-1", "standard-2", "batch-1", "batch-2"])
    }

    @Test func aClassBelowItsReservedShareGoesFirstForTheJobsThatReachIt() {
        var order = DispatchOrder()
        // Of 10 units realtime holds 5 (over its 2), standard none (under its 1).
        let usage = CapacityUsage(capacity: 10, running: [.realtime: 5, .batch: 3])
        let ids = order.order(jobs, usage: usage, now: at(10)).map(\.rawValue)
        #expect(ids == ["standard-1", "realtime-1", "realtime-2", "standard-2", "batch-1", "batch-2"])
    }

    @Test func bothReservedClassesBelowTheirSharesGoByRank() {
        var order = DispatchOrder()
        let usage = CapacityUsage(capacity: 20, running: [.batch: 10])
        let ids = order.order(jobs, usage: usage, now: at(10)).map(\.rawValue)
        // Realtime is owed 4 units (both its jobs), standard 2 (both its jobs).
        #expect(ids == ["realtime-1", "realtime-2", "standard-1", "standard-2", "batch-1", "batch-2"])
    }

    @Test func configuredRanksDecideNotDeclarationOrder() throws {
        let configuration = try DispatchConfiguration(policies: [
            .batch: ServiceClassPolicy(rank: 0, reservedShare: 0, targetWait: 10, degradation: .wait),
            .realtime: ServiceClassPolicy(rank: 2, reservedShare: 0, targetWait: 10, degradation: .wait),
        ])
        var order = DispatchOrder(configuration: configuration)
        let ids = order.order(jobs, usage: saturatedUsage, now: at(10)).map(\.rawValue)
        #expect(ids == ["batch-1", "batch-2", "standard-1", "standard-2", "realtime-1", "realtime-2"])
        #expect(configuration.classesByRank == [.batch, .standard, .realtime])
    }
}
