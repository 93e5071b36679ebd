import Foundation

/// Lifts a waiting job's priority the longer it waits, so a steady stream of high-priority work cannot starve it.
/// The cap sits at or above the highest priority: once a job reaches it, only older jobs at the cap go first.
public struct Aging: Sendable, Equatable, Hashable {
    public var perSecond: Double
    public var cap: Double

    public init(perSecond: Double, cap: Double) {
        self.perSecond = perSecond
        self.cap = cap
    }

    /// `priority + waited × perSecond`, no higher than the cap and never below the job's own priority (a clock
    /// that steps back must not demote anyone).
    public func effectivePriority(priority: Int, waited: TimeInterval) -> Double {
        let own = Double(priority)
        let aged = own + max(0, waited) * perSecond
        return max(own, min(cap, aged))
    }

    /// How long a job of `priority` waits before aging has lifted it to the cap; nil when aging is off.
    public func secondsToReachCap(from priority: Int) -> TimeInterval? {
        guard perSecond > 0 else { return nil }
        return max(0, cap - Double(priority)) / perSecond
    }
}
