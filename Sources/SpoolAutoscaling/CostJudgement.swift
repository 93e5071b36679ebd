import Foundation

/// Whether adding workers pays for itself: the wait they save, valued per job-second, against their price over the
/// horizon. The queue model is deliberately simple (the pool completes its running jobs ÷ run time per second, by
/// Little's law; added workers add their slots ÷ run time; the backlog left after the boot drains at that rate, each
/// job waiting half the drain time on average, capped at the horizon), since it only has to tell "worth it" from
/// "not worth it".
struct CostJudgement {
    /// Workers worth adding: the count in 1...proposed with the best net value, or 0 when none pays off.
    var count: Int
    var instanceType: InstanceType?
    var spot: Bool
    var rules: [ScalingRule] = []
    var reasons: [String] = []

    /// Whether spot capacity is being taken back faster than it is worth: any interruption within the backoff when
    /// the catalog gives no rate or the caller counts none, otherwise at least twice what the catalog's rate expects
    /// of the pool's spot workers over the backoff (and at least one). One interruption in a fleet of a hundred is
    /// the normal price of spot; leaving spot for it would forfeit the discount for good.
    static func spotCrunch(signals: PoolSignals, settings: CostSettings) -> Bool {
        let backoff = settings.spotInterruptionBackoffSeconds
        guard let last = signals.lastSpotInterruption, signals.time.timeIntervalSince(last) < backoff else {
            return false
        }
        guard let recent = signals.recentSpotInterruptions,
            let rate = settings.catalog.cheapestPerSlot(spot: true)?.spotInterruptionsPerHour
        else { return true }
        let expected = rate * Double(signals.spotWorkers) * backoff / 3_600
        return Double(recent) >= max(1, 2 * expected)
    }

    init(proposed: Int, backlog: Double, signals: PoolSignals, settings: CostSettings) {
        let backoff = settings.spotInterruptionBackoffSeconds
        let spotRecentlyInterrupted = Self.spotCrunch(signals: signals, settings: settings)
        let spotType =
            settings.serviceClass.allowsSpot && !spotRecentlyInterrupted
            ? settings.catalog.cheapestPerSlot(spot: true) : nil
        // Without a catalog there is no price to compare, but a pool that may run spot still does, outside the
        // backoff: the actuator carries the choice out (spot or on-demand part).
        spot =
            spotType != nil
            || (settings.catalog.types.isEmpty && settings.serviceClass.allowsSpot && !spotRecentlyInterrupted)
        instanceType = spotType ?? settings.catalog.cheapestPerSlot(spot: false)
        if settings.serviceClass.allowsSpot && spotRecentlyInterrupted {
            rules.append(.spotInterrupted)
            reasons.append(
                "spot interrupted within \(ReactiveRule.format(backoff)) s"
                    + (signals.recentSpotInterruptions.map { " (\($0) times, above the catalog's rate)" } ?? "")
                    + " → on-demand")
        }
        guard let instanceType else {
            // Without a catalog there is no price to weigh, so the reactive decision stands.
            count = proposed
            return
        }
        let horizon = settings.horizonSeconds
        let jobSeconds = max(signals.responseTimeSeconds ?? settings.defaultJobSeconds, 1)
        let jobsPerSecondPerWorker = Double(max(instanceType.jobSlots, 1)) / jobSeconds
        let currentRate = Double(signals.inFlight) / jobSeconds
        // New workers help only with what is still queued once they are up.
        let remaining = max(0, backlog - currentRate * instanceType.bootSeconds)
        func meanWait(rate: Double) -> Double { rate > 0 ? min(remaining / (2 * rate), horizon) : horizon }
        let hourlyPrice = instanceType.hourlyPrice(spot: spot)
        let valuePerJobSecond = settings.serviceClass.waitValuePerJobSecond

        var best = (count: 0, net: 0.0, saved: 0.0, cost: 0.0)
        var full = (saved: 0.0, cost: 0.0)
        for added in stride(from: 1, through: max(proposed, 0), by: 1) {
            let newRate = currentRate + Double(added) * jobsPerSecondPerWorker
            let saved = remaining * (meanWait(rate: currentRate) - meanWait(rate: newRate))
            let cost = Double(added) * hourlyPrice * horizon / 3600
            let net = saved * valuePerJobSecond - cost
            if net > best.net {
                best = (added, net, saved, cost)
            }
            full = (saved, cost)
        }
        count = best.count
        let kind = "\(instanceType.name)\(spot ? " spot" : " on-demand")"
        if best.count < proposed {
            rules.append(.cost)
            let money = { (value: Double) in String(format: "%.2f", value) }
            reasons.append(
                "cost: +\(proposed) \(kind) would cost \(money(full.cost)) over \(ReactiveRule.format(horizon)) s "
                    + "but save \(Int(full.saved.rounded())) job-seconds of wait worth "
                    + "\(money(full.saved * valuePerJobSecond)) → +\(best.count)")
        } else {
            reasons.append(
                "+\(best.count) \(kind) saves \(Int(best.saved.rounded())) job-seconds of wait for "
                    + String(format: "%.2f", best.cost))
        }
    }
}
