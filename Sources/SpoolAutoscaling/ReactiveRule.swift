import Foundation

/// The Kubernetes HPA rule on backlog per worker, plus the oldest-wait signal that HPA has no notion of.
struct ReactiveRule {
    var workers: Int
    var rules: [ScalingRule]
    var reasons: [String]

    init(signals: PoolSignals, currentWorkers: Int, policy: AutoscalerPolicy) {
        let target = max(policy.targetBacklogPerWorker, .leastNonzeroMagnitude)
        let backlog = Double(signals.backlog)
        let backlogSentence =
            "backlog \(signals.backlog) (\(signals.waiting) waiting + \(signals.inFlight) running) on "
            + "\(currentWorkers) workers"
        // The ratio of an empty pool is undefined; the backlog alone then says how many workers it needs.
        var desired = Self.workers(for: backlog, target: target)
        if currentWorkers > 0 {
            let perWorker = backlog / Double(currentWorkers)
            let ratio = perWorker / target
            let sentence =
                "\(backlogSentence) = \(Self.format(perWorker)) per worker vs target "
                + "\(Self.format(target)) (ratio \(Self.format(ratio)))"
            // The epsilon keeps a ratio of exactly 1 ± tolerance inside despite binary fractions.
            if abs(ratio - 1) <= policy.tolerance + 1e-9 {
                desired = currentWorkers
                rules = [.tolerance]
                reasons = ["\(sentence) is within tolerance \(Self.format(policy.tolerance))"]
            } else {
                rules = [.backlogRatio]
                reasons = ["\(sentence) → \(desired) workers"]
            }
        } else {
            rules = [.backlogRatio]
            reasons = ["\(backlogSentence) → \(desired) workers"]
        }
        if signals.waiting > 0, signals.oldestWaitSeconds > policy.targetWaitSeconds, desired <= currentWorkers {
            desired = currentWorkers + 1
            rules.append(.oldestWait)
            reasons.append(
                "oldest job waited \(Self.format(signals.oldestWaitSeconds)) s, beyond the target "
                    + "\(Self.format(policy.targetWaitSeconds)) s → \(desired) workers")
        }
        workers = desired
    }

    /// Workers that carry `load` at `target` each; the epsilon keeps 3 ÷ 0.1 from asking for 31.
    static func workers(for load: Double, target: Double) -> Int {
        max(Int((load / max(target, .leastNonzeroMagnitude) - 1e-9).rounded(.up)), 0)
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.2f", value)
    }
}
