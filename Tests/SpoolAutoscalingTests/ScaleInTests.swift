import Foundation
import SpoolAutoscaling
import Testing

@Suite("Scale-in")
struct ScaleInTests {
    /// No windows or rate limits, so each test sees scale-in alone.
    static let policy = AutoscalerPolicy(
        minWorkers: 0, maxWorkers: 40, targetBacklogPerWorker: 2,
        stabilization: StabilizationWindows(scaleDownSeconds: 0), rates: ScalingRates(scaleUp: [], scaleDown: []),
        cooldownSeconds: 0)

    static func signals(workers: Int, busy: Int, waiting: Int = 0) -> PoolSignals {
        PoolSignals(time: PoolTrace.start, waiting: waiting, inFlight: busy, busyWorkers: busy, readyWorkers: workers)
    }

    @Test func neverGoesBelowTheBusyCountNorDrainsABusyWorker() throws {
        var autoscaler = Autoscaler(policy: Self.policy)
        let workers = (0..<10).map {
            PoolWorker(id: "w\($0)", runningJobs: $0 < 6 ? 1 : 0, hourlyPrice: 1, startedAt: PoolTrace.start)
        }
        let decision = autoscaler.evaluate(Self.signals(workers: 10, busy: 6), workers: workers)
        #expect(decision.reactiveWorkers == 3)
        #expect(decision.desiredWorkers == 6)
        #expect(decision.rules.contains(.busyFloor))
        guard case .drain(let drained) = decision.action else {
            Issue.record("expected a drain, got \(decision)")
            return
        }
        #expect(Set(drained) == ["w6", "w7", "w8", "w9"])
    }

    @Test func drainsTheMostExpensiveIdleWorkersThenTheNewest() {
        var autoscaler = Autoscaler(policy: Self.policy)
        let workers = [
            PoolWorker(id: "old-cheap", runningJobs: 0, hourlyPrice: 1, startedAt: PoolTrace.start),
            PoolWorker(id: "new-cheap", runningJobs: 0, hourlyPrice: 1, startedAt: PoolTrace.start + 600),
            PoolWorker(id: "busy-pricey", runningJobs: 2, hourlyPrice: 9, startedAt: PoolTrace.start),
            PoolWorker(id: "old-pricey", runningJobs: 0, hourlyPrice: 4, startedAt: PoolTrace.start),
            PoolWorker(id: "newer-cheap", runningJobs: 0, hourlyPrice: 1, startedAt: PoolTrace.start + 1200),
        ]
        // One running job wants a single worker, which is the busy one, so all four idle ones go.
        let decision = autoscaler.evaluate(Self.signals(workers: 5, busy: 1), workers: workers)
        #expect(decision.action == .drain(workers: ["old-pricey", "newer-cheap", "new-cheap", "old-cheap"]))
    }

    @Test func waitsForDrainsBeforeDrainingMore() {
        let policy = AutoscalerPolicy(
            minWorkers: 0, maxWorkers: 40, targetBacklogPerWorker: 2,
            stabilization: StabilizationWindows(scaleDownSeconds: 0),
            rates: ScalingRates(scaleDown: [.workers(2, per: 15)]), cooldownSeconds: 0)
        var autoscaler = Autoscaler(policy: policy)
        var workers = (0..<6).map {
            PoolWorker(id: "w\($0)", runningJobs: 0, hourlyPrice: 1, startedAt: PoolTrace.start + Double($0))
        }
        var signals = Self.signals(workers: 6, busy: 0)
        let first = autoscaler.evaluate(signals, workers: workers)
        #expect(first.action == .drain(workers: ["w5", "w4"]))

        // Still present a minute later: they are draining, so nothing more is released.
        signals.time += 60
        let waiting = autoscaler.evaluate(signals, workers: workers)
        #expect(waiting.currentWorkers == 4)
        #expect(waiting.action == .none)
        #expect(waiting.rules.contains(.drainPending))

        workers.removeAll { ["w4", "w5"].contains($0.id) }
        signals.time += 60
        signals.readyWorkers = 4
        let next = autoscaler.evaluate(signals, workers: workers)
        #expect(next.action == .drain(workers: ["w3", "w2"]))
    }
}
