import Foundation
import SpoolCore
import SpoolDispatch
import TestThreads
import Testing

@Suite(.cpuBound) struct LotteryTests {
    let configuration: DispatchConfiguration

    init() throws {
        configuration = try DispatchConfiguration(
            fairness: .lottery, tenantWeights: [tenant("a"): 3, tenant("b"): 2, tenant("c"): 1])
    }

    @Test func ticketsShareDispatchesByWeight() {
        var tenants = BackloggedTenants(configuration: configuration, costs: ["a": 1, "b": 1, "c": 1], seed: 2024)
        tenants.dispatch(total: 10_000)
        #expect(abs(tenants.countShare(of: "a") - 3.0 / 6) < 0.03)
        #expect(abs(tenants.countShare(of: "b") - 2.0 / 6) < 0.03)
        #expect(abs(tenants.countShare(of: "c") - 1.0 / 6) < 0.03)
    }

    @Test func theSameSeedDrawsTheSameOrder() {
        let jobs = ["a", "b", "c"].flatMap { name in (1...10).map { waiting("\(name)\($0)", tenant: name) } }
        var first = DispatchOrder(configuration: configuration, seed: 99)
        var second = DispatchOrder(configuration: configuration, seed: 99)
        var other = DispatchOrder(configuration: configuration, seed: 100)
        let firstIDs = first.order(jobs, usage: saturatedUsage, now: at(1))
        #expect(firstIDs == second.order(jobs, usage: saturatedUsage, now: at(1)))
        #expect(firstIDs != other.order(jobs, usage: saturatedUsage, now: at(1)))
        // Draws are consumed, so the next cycle is a fresh draw rather than a replay.
        #expect(first.random != SplitMix64(seed: 99))
    }

    @Test func theOrderDoesNotDependOnHowTheJobsAreListed() {
        let jobs = ServiceClass.allCases.flatMap { serviceClass in
            ["a", "b", "c", "d"].flatMap { name in
                (1...5).map {
                    waiting(
                        "\(serviceClass)-\(name)\($0)", tenant: name, serviceClass: serviceClass, priority: $0 * 10,
                        enqueuedAt: Double($0))
                }
            }
        }
        var shuffler = SplitMix64(seed: 3)
        var listed = DispatchOrder(configuration: configuration, seed: 11)
        var shuffled = DispatchOrder(configuration: configuration, seed: 11)
        let usage = CapacityUsage(capacity: 20, running: [.batch: 18])
        #expect(
            listed.order(jobs, usage: usage, now: at(60))
                == shuffled.order(jobs.shuffled(using: &shuffler), usage: usage, now: at(60)))
    }

    @Test func everyJobAppearsOnceAndTenantsKeepTheirInnerOrder() {
        var order = DispatchOrder(configuration: configuration, seed: 5)
        let jobs = ["a", "b", "c"].flatMap { name in
            (1...10).map { waiting("\(name)\($0)", tenant: name, priority: 100 - $0) }
        }
        let ordered = order.orderedJobs(jobs, usage: saturatedUsage, now: at(1))
        #expect(Set(ordered.map(\.id)) == Set(jobs.map(\.id)))
        for name in ["a", "b", "c"] {
            let own = ordered.filter { $0.tenant == tenant(name) }.map(\.priority)
            #expect(own == own.sorted(by: >))
        }
    }
}
