import Foundation
import SpoolAutoscaling
import SpoolDispatch
import Testing

@Suite("Stabilization")
struct StabilizationTests {
    static let policy = AutoscalerPolicy(
        minWorkers: 1, maxWorkers: 40, targetBacklogPerWorker: 2,
        rates: ScalingRates(scaleDown: [.percent(50, per: 15)]))

    @Test func aDipThatRecoversReleasesNoWorkers() {
        var trace = PoolTrace(autoscaler: Autoscaler(policy: Self.policy), workers: 10)
        // Steady at target, a two-minute dip to a fifth of it, then back.
        let backlogs = Array(repeating: 20, count: 8) + Array(repeating: 4, count: 8) + Array(repeating: 20, count: 8)
        for (index, backlog) in backlogs.enumerated() {
            trace.step(at: PoolTrace.start.addingTimeInterval(15 * Double(index)), waiting: backlog)
        }
        #expect(trace.decisions.allSatisfy { $0.action == .none })
        #expect(trace.decisions[8...15].allSatisfy { $0.rules.contains(.stabilization) })
    }

    @Test func scalesDownOnlyOnceTheWindowHasSeenNothingButLowRecommendations() throws {
        var trace = PoolTrace(autoscaler: Autoscaler(policy: Self.policy), workers: 10)
        trace.step(at: PoolTrace.start, waiting: 20)
        var firstDrain: ScalingDecision?
        for index in 1...40 {
            let decision = trace.step(at: PoolTrace.start.addingTimeInterval(15 * Double(index)), waiting: 4)
            if case .drain = decision.action, firstDrain == nil {
                firstDrain = decision
            }
        }
        let drain = try #require(firstDrain)
        // The high recommendation at t=0 leaves the 300 s window exactly at t=300.
        #expect(drain.time.timeIntervalSince(PoolTrace.start) == 300)
        #expect(drain.desiredWorkers == 5)
    }

    /// Two hours every 15 s: a slow swell between 10 and 50 jobs with ±40 % noise on top.
    static func noisyTrace(policy: AutoscalerPolicy) -> [ScalingDecision] {
        var generator = SplitMix64(seed: 42)
        var trace = PoolTrace(autoscaler: Autoscaler(policy: policy), workers: 4)
        for index in 0..<480 {
            let swell = 30 + 20 * sin(Double(index) / 480 * 4 * .pi)
            let backlog = Int((swell * Double.random(in: 0.6...1.4, using: &generator)).rounded())
            trace.step(at: PoolTrace.start.addingTimeInterval(15 * Double(index)), waiting: backlog)
        }
        return trace.decisions
    }

    /// Scale events whose direction differs from the previous event's.
    static func reversals(in decisions: [ScalingDecision]) -> Int {
        let directions = decisions.compactMap { decision -> Int? in
            switch decision.action {
            case .none: nil
            case .scaleUp: 1
            case .drain: -1
            }
        }
        return zip(directions, directions.dropFirst()).filter { $0 != $1 }.count
    }

    @Test func noScaleEventReversesAScaleUpWithinTheWindowOverANoisyTrace() {
        let decisions = Self.noisyTrace(policy: Self.policy)
        var lastScaleUp: Date?
        for decision in decisions {
            switch decision.action {
            case .scaleUp:
                lastScaleUp = decision.time
            case .drain:
                if let lastScaleUp {
                    #expect(decision.time.timeIntervalSince(lastScaleUp) >= 300, "\(decision)")
                }
            case .none:
                break
            }
        }
        var unstabilized = Self.policy
        unstabilized.stabilization.scaleDownSeconds = 0
        unstabilized.cooldownSeconds = 0
        let stabilizedReversals = Self.reversals(in: decisions)
        let unstabilizedReversals = Self.reversals(in: Self.noisyTrace(policy: unstabilized))
        #expect(stabilizedReversals > 0)
        #expect(stabilizedReversals * 10 < unstabilizedReversals)
    }
}
