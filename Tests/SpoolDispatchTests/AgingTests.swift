import Foundation
import SpoolCore
import SpoolDispatch
import Testing

@Suite struct AgingTests {
    @Test func effectivePriorityGrowsWithWaitingUpToTheCap() {
        let aging = Aging(perSecond: 0.5, cap: 150)
        #expect(aging.effectivePriority(priority: 10, waited: 0) == 10)
        #expect(aging.effectivePriority(priority: 10, waited: 100) == 60)
        #expect(aging.effectivePriority(priority: 10, waited: 10_000) == 150)
        #expect(aging.effectivePriority(priority: 10, waited: -50) == 10)
        #expect(aging.secondsToReachCap(from: 10) == 280)
        #expect(Aging(perSecond: 0, cap: 150).secondsToReachCap(from: 10) == nil)
    }

    @Test func agedPriorityOrdersATenantsJobs() throws {
        let configuration = try DispatchConfiguration(agingPerSecond: 1, agingCap: 200)
        var order = DispatchOrder(configuration: configuration)
        let jobs = [
            waiting("fresh-high", priority: 90, enqueuedAt: 100),
            waiting("old-low", priority: 20, enqueuedAt: 0),
            waiting("mid", priority: 50, enqueuedAt: 90),
        ]
        // At 100 s: fresh-high 90, old-low 120, mid 60.
        let ids = order.order(jobs, usage: saturatedUsage, now: at(100)).map(\.rawValue)
        #expect(ids == ["old-low", "fresh-high", "mid"])
    }

    @Test func aLowPriorityJobIsNotStarvedByAStreamOfHighPriorityJobs() throws {
        let rate = 1.0
        let cap = 150.0
        let configuration = try DispatchConfiguration(agingPerSecond: rate, agingCap: cap)
        var order = DispatchOrder(configuration: configuration)
        let backlog = 20
        var queue = (0..<backlog).map { waiting("high-initial-\($0)", priority: 100, enqueuedAt: 0) }
        queue.append(waiting("low", priority: 0, enqueuedAt: 0.5))

        // Once aged to the cap, the low job is outranked only by older jobs at the cap: the initial backlog.
        let bound = Int((0.5 + cap / rate).rounded(.up)) + backlog
        var dispatchedAtStep: Int?
        for step in 1...(bound + 50) {
            queue.append(waiting("high-\(step)", priority: 100, enqueuedAt: Double(step)))
            let first = order.next(queue, usage: saturatedUsage, now: at(Double(step)))!
            order.charge(first)
            queue.removeAll { $0.id == first.id }
            if first.id.rawValue == "low" {
                dispatchedAtStep = step
                break
            }
        }
        let step = try #require(dispatchedAtStep)
        #expect(step <= bound)
        // It waited for aging, not by accident: the stream held it back for over 100 s.
        #expect(step > 100)
    }
}
