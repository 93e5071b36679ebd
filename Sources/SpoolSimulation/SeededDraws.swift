import Foundation

/// The few distributions the workload needs, drawn from any seeded generator so a seed replays exactly.
extension RandomNumberGenerator {
    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Exponential with the given rate (events per second).
    mutating func exponential(rate: Double) -> Double {
        -log(1 - unit()) / rate
    }

    /// Standard normal, by Box–Muller.
    mutating func standardNormal() -> Double {
        let u = max(unit(), .leastNonzeroMagnitude)
        return sqrt(-2 * log(u)) * cos(2 * .pi * unit())
    }

    /// An index drawn with probability proportional to its weight.
    mutating func index(weightedBy weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var pick = unit() * total
        for (index, weight) in weights.enumerated() {
            pick -= weight
            if pick < 0 { return index }
        }
        return weights.count - 1
    }
}
