import Foundation
import SpoolAutoscaling
import Testing

@Suite("Reactive scaling")
struct ReactiveScalingTests {
    static let policy = AutoscalerPolicy(minWorkers: 1, maxWorkers: 50, targetBacklogPerWorker: 2)

    @Test func scalesUpInTheFirstEvaluationAndReachesTheGoalAtTheRateAllowed() {
        var trace = PoolTrace(autoscaler: Autoscaler(policy: Self.policy), workers: 4)
        let first = trace.step(at: PoolTrace.start, waiting: 36, inFlight: 4)
        // 40 jobs at 2 per worker want 20; +100 % or +4 per 15 s (the larger) allows 8 now.
        #expect(first.reactiveWorkers == 20)
        #expect(first.action == .scaleUp(count: 4, instanceType: nil, spot: false))
        #expect(first.rules.contains(.rateLimit))

        var expectedCounts: [Int] = []
        var workers = 4
        while workers < 20 {
            workers = min(max(workers * 2, workers + 4), 20)
            expectedCounts.append(workers)
        }
        for step in 1..<expectedCounts.count {
            trace.step(at: PoolTrace.start.addingTimeInterval(15 * Double(step)), waiting: 36, inFlight: 4)
        }
        #expect(trace.decisions.map(\.desiredWorkers) == expectedCounts)
        #expect(expectedCounts == [8, 16, 20])
        let settled = trace.step(at: PoolTrace.start.addingTimeInterval(15 * 3), waiting: 36, inFlight: 4)
        #expect(settled.action == .none)
        #expect(settled.rules.contains(.tolerance))
    }

    @Test func makesNoChangeWithinTolerance() {
        var trace = PoolTrace(autoscaler: Autoscaler(policy: Self.policy), workers: 10)
        for (index, backlog) in [20, 21, 22, 18].enumerated() {
            let decision = trace.step(at: PoolTrace.start.addingTimeInterval(15 * Double(index)), waiting: backlog)
            #expect(decision.action == .none, "backlog \(backlog)")
            #expect(decision.rules == [.tolerance])
        }
        let beyond = trace.step(at: PoolTrace.start.addingTimeInterval(60), waiting: 23)
        #expect(beyond.action == .scaleUp(count: 2, instanceType: nil, spot: false))
    }

    @Test func scalesUpWhenTheOldestJobWaitedTooLongEvenWithinTolerance() {
        var trace = PoolTrace(autoscaler: Autoscaler(policy: Self.policy), workers: 10)
        let decision = trace.step(at: PoolTrace.start, waiting: 10, inFlight: 10, oldestWaitSeconds: 120)
        #expect(decision.rules == [.tolerance, .oldestWait])
        #expect(decision.action == .scaleUp(count: 1, instanceType: nil, spot: false))
        #expect(decision.description.contains("oldest job waited 120 s"))
    }

    @Test func startsAnEmptyPoolFromTheBacklog() {
        let policy = AutoscalerPolicy(minWorkers: 0, maxWorkers: 50, targetBacklogPerWorker: 2)
        var trace = PoolTrace(autoscaler: Autoscaler(policy: policy), workers: 0)
        let decision = trace.step(at: PoolTrace.start, waiting: 5)
        #expect(decision.action == .scaleUp(count: 3, instanceType: nil, spot: false))
    }

    @Test func staysWithinMinAndMax() {
        let policy = AutoscalerPolicy(
            minWorkers: 2, maxWorkers: 6, targetBacklogPerWorker: 2,
            rates: ScalingRates(scaleUp: [.workers(100, per: 15)]))
        var trace = PoolTrace(autoscaler: Autoscaler(policy: policy), workers: 0)
        let raised = trace.step(at: PoolTrace.start, waiting: 0)
        #expect(raised.desiredWorkers == 2)
        #expect(raised.rules.contains(.minWorkers))
        let capped = trace.step(at: PoolTrace.start.addingTimeInterval(15), waiting: 100)
        #expect(capped.desiredWorkers == 6)
        #expect(capped.rules.contains(.maxWorkers))
    }
}
