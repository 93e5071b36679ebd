import Foundation

/// Recent changes to the worker count, for HPA-style rate policies and the post-scale-up cooldown.
struct ScaleEventHistory: Sendable {
    private struct Event: Sendable {
        var time: Date
        var change: Int
    }

    private var events: [Event] = []
    private(set) var lastScaleUp: Date?

    mutating func record(change: Int, at time: Date, keepingSeconds: Double) {
        events.removeAll { time.timeIntervalSince($0.time) > keepingSeconds }
        guard change != 0 else { return }
        events.append(Event(time: time, change: change))
        if change > 0 {
            lastScaleUp = time
        }
    }

    /// The most workers the scale-up policies allow now.
    func scaleUpLimit(currentWorkers: Int, at time: Date, rates: ScalingRates) -> Int {
        let limits = rates.scaleUp.map { policy -> Int in
            let added = changes(within: policy.periodSeconds, before: time).filter { $0 > 0 }.reduce(0, +)
            let periodStart = max(currentWorkers - added, 0)
            switch policy.kind {
            case .workers:
                return periodStart + policy.value
            case .percent:
                // A percentage of zero workers is zero; one worker keeps an empty pool able to start.
                let grown = Int((Double(periodStart) * Double(100 + policy.value) / 100).rounded(.up))
                return policy.value > 0 ? max(grown, periodStart + 1) : periodStart
            }
        }
        guard let first = limits.first else { return Int.max }
        return rates.scaleUpSelection == .max ? limits.max() ?? first : limits.min() ?? first
    }

    /// The fewest workers the scale-down policies allow now.
    func scaleDownLimit(currentWorkers: Int, at time: Date, rates: ScalingRates) -> Int {
        let limits = rates.scaleDown.map { policy -> Int in
            let removed = -changes(within: policy.periodSeconds, before: time).filter { $0 < 0 }.reduce(0, +)
            let periodStart = currentWorkers + removed
            switch policy.kind {
            case .workers:
                return periodStart - policy.value
            case .percent:
                return Int(Double(periodStart) * Double(100 - policy.value) / 100)
            }
        }
        guard let first = limits.first else { return 0 }
        // The largest change is the lowest floor.
        return rates.scaleDownSelection == .max ? limits.min() ?? first : limits.max() ?? first
    }

    private func changes(within seconds: Double, before time: Date) -> [Int] {
        events.filter { time.timeIntervalSince($0.time) < seconds }.map(\.change)
    }
}
