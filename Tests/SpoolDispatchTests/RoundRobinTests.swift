import Foundation
import SpoolCore
import SpoolDispatch
import Testing

@Suite struct RoundRobinTests {
    let configuration: DispatchConfiguration

    init() throws {
        // Weights and costs are set to show round robin ignores both.
        configuration = try DispatchConfiguration(fairness: .roundRobin, tenantWeights: [tenant("a"): 5])
    }

    @Test func oneOrderingAlternatesTenants() {
        var order = DispatchOrder(configuration: configuration)
        let jobs = ["a", "b", "c"].flatMap { name in
            (1...3).map { waiting("\(name)\($0)", tenant: name, enqueuedAt: Double($0), cost: name == "c" ? 9 : 1) }
        }
        let ids = order.order(jobs, usage: saturatedUsage, now: at(10)).map(\.rawValue)
        #expect(ids == ["a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3"])
    }

    @Test func dispatchesAlternateExactlyAcrossCycles() {
        var tenants = BackloggedTenants(configuration: configuration, costs: ["a": 1, "b": 3, "c": 1])
        tenants.dispatch(total: 300)
        let expected = (0..<100).flatMap { _ in ["a", "b", "c"] }
        #expect(tenants.dispatchedTenants == expected)
    }

    @Test func severalDispatchesPerCycleStillAlternate() {
        var tenants = BackloggedTenants(configuration: configuration, costs: ["a": 1, "b": 1, "c": 1])
        tenants.dispatch(total: 301, perCycle: 5)
        let expected = (0..<101).flatMap { _ in ["a", "b", "c"] }.prefix(301)
        #expect(tenants.dispatchedTenants == Array(expected))
    }

    @Test func aTenantWhoseJobDidNotFitIsNotSkippedTwice() {
        var order = DispatchOrder(configuration: configuration)
        let jobs = [waiting("a1", tenant: "a"), waiting("b1", tenant: "b"), waiting("c1", tenant: "c")]
        let first = order.orderedJobs(jobs, usage: saturatedUsage, now: at(1))
        #expect(first.map(\.id.rawValue) == ["a1", "b1", "c1"])
        // a1 did not fit; b1 was placed.
        order.charge(first[1])
        let remaining = [waiting("a1", tenant: "a"), waiting("c1", tenant: "c"), waiting("b2", tenant: "b")]
        let second = order.order(remaining, usage: saturatedUsage, now: at(2)).map(\.rawValue)
        #expect(second == ["c1", "a1", "b2"])
    }
}
