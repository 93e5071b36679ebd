import Foundation
import SpoolCore
import SpoolDispatch
import TestThreads
import Testing

@Suite(.cpuBound) struct WeightedFairTests {
    let configuration: DispatchConfiguration

    init() throws {
        configuration = try DispatchConfiguration(
            fairness: .weightedFair, tenantWeights: [tenant("a"): 3, tenant("b"): 2, tenant("c"): 1])
    }

    @Test func equalCostsShareByWeight() {
        var tenants = BackloggedTenants(configuration: configuration, costs: ["a": 1, "b": 1, "c": 1])
        tenants.dispatch(total: 10_000)
        #expect(abs(tenants.countShare(of: "a") - 3.0 / 6) < 0.02)
        #expect(abs(tenants.countShare(of: "b") - 2.0 / 6) < 0.02)
        #expect(abs(tenants.countShare(of: "c") - 1.0 / 6) < 0.02)
    }

    @Test func differentCostsShareByCostNotByCount() {
        var tenants = BackloggedTenants(configuration: configuration, costs: ["a": 1, "b": 2.5, "c": 4])
        tenants.dispatch(total: 10_000)
        #expect(abs(tenants.costShare(of: "a") - 3.0 / 6) < 0.02)
        #expect(abs(tenants.costShare(of: "b") - 2.0 / 6) < 0.02)
        #expect(abs(tenants.costShare(of: "c") - 1.0 / 6) < 0.02)
        // By count the cheap tenant gets far more than half.
        #expect(tenants.countShare(of: "a") > 0.7)
    }

    @Test func sharesHoldWhenCyclesPlaceSeveralJobs() {
        var tenants = BackloggedTenants(configuration: configuration, costs: ["a": 2, "b": 1, "c": 3])
        tenants.dispatch(total: 10_000, perCycle: 7)
        #expect(abs(tenants.costShare(of: "a") - 3.0 / 6) < 0.02)
        #expect(abs(tenants.costShare(of: "b") - 2.0 / 6) < 0.02)
        #expect(abs(tenants.costShare(of: "c") - 1.0 / 6) < 0.02)
    }

    @Test func jobsCostingManyQuantaAreStillServedInProportion() throws {
        let configuration = try DispatchConfiguration(
            fairness: .weightedFair, tenantWeights: [tenant("a"): 3, tenant("b"): 2, tenant("c"): 1], quantum: 0.5)
        var tenants = BackloggedTenants(configuration: configuration, costs: ["a": 600, "b": 60, "c": 3600])
        tenants.dispatch(total: 10_000)
        #expect(abs(tenants.costShare(of: "a") - 3.0 / 6) < 0.02)
        #expect(abs(tenants.costShare(of: "b") - 2.0 / 6) < 0.02)
        #expect(abs(tenants.costShare(of: "c") - 1.0 / 6) < 0.02)
    }

    @Test func jobsChargedOutsideTheOrderingKeepTheShares() {
        var tenants = BackloggedTenants(configuration: configuration, costs: ["a": 1, "b": 2, "c": 1])
        for round in 0..<60 {
            tenants.dispatch(total: 100, perCycle: 3)
            // A job of a tenant the last ordering did not see (placed from an older plan, say): it takes its turn
            // in the ring once and leaves the others' credit as it was.
            tenants.order.charge(waiting("stray-\(round)", tenant: "d"))
        }
        #expect(abs(tenants.costShare(of: "a") - 3.0 / 6) < 0.02)
        #expect(abs(tenants.costShare(of: "b") - 2.0 / 6) < 0.02)
        #expect(abs(tenants.costShare(of: "c") - 1.0 / 6) < 0.02)
    }

    @Test func oneOrderingInterleavesByDeficit() {
        var order = DispatchOrder(configuration: configuration)
        let jobs = ["a", "b", "c"].flatMap { name in
            (1...6).map { waiting("\(name)\($0)", tenant: name, enqueuedAt: Double($0)) }
        }
        let tenants = order.orderedJobs(jobs, usage: saturatedUsage, now: at(10)).prefix(12).map(\.tenant.rawValue)
        #expect(tenants == ["a", "a", "a", "b", "b", "c", "a", "a", "a", "b", "b", "c"])
    }

    @Test func aTenantPassedOverDoesNotBankUnboundedCredit() {
        var order = DispatchOrder(configuration: configuration)
        let aJobs = (1...20).map { waiting("a\($0)", tenant: "a", enqueuedAt: Double($0)) }
        var serial = 0
        var others = (1...4).flatMap { _ in
            ["b", "c"].map { name in
                serial += 1
                return waiting("\(name)\(serial)", tenant: name, enqueuedAt: 0)
            }
        }
        // For 100 cycles a's jobs do not fit anywhere, so only b and c are placed.
        for cycle in 1...100 {
            let ordered = order.orderedJobs(aJobs + others, usage: saturatedUsage, now: at(Double(cycle)))
            let placed = ordered.first { $0.tenant != tenant("a") }!
            order.charge(placed)
            others.removeAll { $0.id == placed.id }
            serial += 1
            others.append(waiting("\(placed.tenant.rawValue)\(serial)", tenant: placed.tenant.rawValue))
        }
        let ordered = order.orderedJobs(aJobs + others, usage: saturatedUsage, now: at(101))
        let firstTurn = ordered.drop { $0.tenant != tenant("a") }.prefix { $0.tenant == tenant("a") }.count
        // One turn's grant (3) plus its next job (1) at most: not a hundred cycles' worth.
        #expect(firstTurn >= 1)
        #expect(firstTurn <= 4)
    }

    @Test func tenOThousandJobsAreOrderedOnce() {
        var order = DispatchOrder(configuration: configuration)
        let jobs = (0..<10_000).map {
            waiting(
                "job\($0)", tenant: "t\($0 % 250)", serviceClass: ServiceClass.allCases[$0 % 3], priority: $0 % 101,
                enqueuedAt: Double($0 % 97), cost: Double($0 % 7 + 1))
        }
        let ids = order.order(jobs, usage: CapacityUsage(capacity: 100), now: at(500))
        #expect(ids.count == jobs.count)
        #expect(Set(ids) == Set(jobs.map(\.id)))
    }
}
