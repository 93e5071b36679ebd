import Foundation
import SpoolCore

/// The autoscaling policy of one pool. It keeps the short memory the rules need (recent recommendations and scale
/// events, the load history, drains in progress) and assumes each decision it returns is carried out.
public struct Autoscaler: Sendable {
    public let policy: AutoscalerPolicy
    private var recommendations = RecommendationHistory()
    private var scaleEvents = ScaleEventHistory()
    private var loadRecorder: LoadRecorder?
    private var pendingDrains: Set<String> = []

    /// `loadHistory` is recorded load, one peak per predictive sample interval, ending just before the first
    /// evaluation; it spares a restarted autoscaler two seasons of warm-up.
    public init(policy: AutoscalerPolicy, loadHistory: [Double] = []) {
        self.policy = policy
        loadRecorder = policy.predictive.map { LoadRecorder(settings: $0, history: loadHistory) }
    }

    /// An autoscaler that picks up a pool's stored demand history, for a first evaluation at `now`: it forecasts as
    /// the autoscaler that recorded the history would have (a new leader, a restart or a resize loses nothing).
    public init(policy: AutoscalerPolicy, demandHistory: [DemandSample], now: Date) {
        let series = policy.predictive.map { LoadRecorder.series(from: demandHistory, before: now, settings: $0) }
        self.init(policy: policy, loadHistory: series ?? [])
    }

    /// Intervals closed since the last call, oldest first, for the pool's stored history.
    private var closedDemand: [DemandSample] = []

    /// Hands over the intervals closed since the last call, for the store.
    public mutating func takeClosedDemand() -> [DemandSample] {
        defer { closedDemand = [] }
        return closedDemand
    }

    /// Sample intervals the seasonal model has seen (its history and what it recorded since); 0 without a forecast.
    public var observedIntervals: Int { loadRecorder?.model.observedCount ?? 0 }

    /// Workers still draining from earlier decisions.
    public var drainingWorkers: Set<String> { pendingDrains }

    /// Decides what the pool should do now. `workers` lists all of the pool's workers (busy ones included, so a
    /// drained worker that is still present counts as draining).
    public mutating func evaluate(_ observed: PoolSignals, workers: [PoolWorker]) -> ScalingDecision {
        let time = observed.time
        pendingDrains.formIntersection(workers.map(\.id))
        let current = max(observed.currentWorkers - pendingDrains.count, 0)
        var rules: [ScalingRule] = []
        var reasons: [String] = []

        let signals = batchAdjusted(observed, current: current, rules: &rules, reasons: &reasons)

        let reactive = ReactiveRule(signals: signals, currentWorkers: current, policy: policy)
        rules += reactive.rules
        reasons += reactive.reasons

        var forecastLoad: Double?
        var forecastConfidence: Double?
        var predictiveWorkers: Int?
        var followedForecast: Double?
        var followedWorkers: Int?
        if var recorder = loadRecorder {
            if let closed = recorder.record(Double(signals.backlog), at: time) { closedDemand.append(closed) }
            loadRecorder = recorder
            if let forecast = recorder.forecast(at: time) {
                let workers = ReactiveRule.workers(for: forecast, target: policy.targetBacklogPerWorker)
                let minimum = recorder.settings.minimumConfidence
                forecastLoad = forecast
                predictiveWorkers = workers
                forecastConfidence = recorder.confidence
                let trusted = (recorder.confidence ?? 0) >= minimum
                if trusted {
                    followedForecast = forecast
                    followedWorkers = workers
                }
                if workers > reactive.workers {
                    let sentence =
                        "forecast load \(ReactiveRule.format(forecast)) in "
                        + "\(ReactiveRule.format(recorder.settings.bootSeconds)) s → \(workers) workers"
                    if trusted {
                        rules.append(.predictive)
                        reasons.append(
                            sentence + " (confidence \(String(format: "%.2f", recorder.confidence ?? 0)))")
                    } else {
                        rules.append(.forecastLowConfidence)
                        reasons.append(
                            sentence + ", not followed: "
                                + (recorder.confidence.map {
                                    "confidence \(String(format: "%.2f", $0)) is below \(ReactiveRule.format(minimum))"
                                } ?? "fewer than \(ForecastAccuracy.minimumScored) intervals scored")
                                + " → the reactive rule alone")
                    }
                }
            }
        }
        let recommendation = max(reactive.workers, followedWorkers ?? 0)

        var desired = recommendations.stabilize(
            recommendation, currentWorkers: current, at: time, windows: policy.stabilization)
        if desired != recommendation {
            rules.append(.stabilization)
            reasons.append("stabilization window holds \(desired) instead of \(recommendation)")
        }
        desired = applyRateLimits(desired, current: current, at: time, rules: &rules, reasons: &reasons)
        desired = applyBounds(
            desired, current: current, signals: signals, workers: workers, rules: &rules, reasons: &reasons)

        if desired < current, let lastScaleUp = scaleEvents.lastScaleUp,
            time.timeIntervalSince(lastScaleUp) < policy.cooldownSeconds
        {
            rules.append(.cooldown)
            reasons.append(
                "cooldown: last scale-up \(ReactiveRule.format(time.timeIntervalSince(lastScaleUp))) s ago, "
                    + "under \(ReactiveRule.format(policy.cooldownSeconds)) s")
            desired = current
        }

        let action: ScalingAction
        if desired > current {
            action = scaleUp(
                by: desired - current, current: current, signals: signals, forecastLoad: followedForecast,
                rules: &rules, reasons: &reasons)
        } else if desired < current {
            action = drain(
                current - desired, workers: workers, current: current, rules: &rules, reasons: &reasons)
        } else {
            action = .none
        }

        let change: Int
        switch action {
        case .none: change = 0
        case .scaleUp(let count, _, _): change = count
        case .drain(let drained): change = -drained.count
        }
        let longestPeriod = (policy.rates.scaleUp + policy.rates.scaleDown).map(\.periodSeconds).max() ?? 0
        scaleEvents.record(change: change, at: time, keepingSeconds: longestPeriod)
        if case .drain(let drained) = action {
            pendingDrains.formUnion(drained)
        }
        return ScalingDecision(
            time: time, signals: observed, currentWorkers: current, desiredWorkers: current + change, action: action,
            reactiveWorkers: reactive.workers, predictiveWorkers: predictiveWorkers, forecastLoad: forecastLoad,
            forecastConfidence: forecastConfidence, rules: rules, reasons: reasons)
    }

    /// The signals the rules see once batch work that may wait is left out: all of it before its deferral ends, and
    /// after it as much as the forecast's quietest interval has room for (`batchTroughWaitSeconds`).
    private func batchAdjusted(
        _ observed: PoolSignals, current: Int, rules: inout [ScalingRule], reasons: inout [String]
    ) -> PoolSignals {
        let time = observed.time
        var signals = observed
        if let deferral = policy.batchDeferralSeconds, observed.waitingBatch > 0 {
            let oldest = observed.oldestBatchWaitSeconds
            let waited = "oldest \(ReactiveRule.format(oldest.rounded())) s of "
            if oldest < deferral {
                signals = observed.withoutWaitingBatch()
                rules.append(.batchDeferred)
                reasons.append(
                    "\(observed.waitingBatch) batch jobs wait for paid-for capacity (\(waited)\(ReactiveRule.format(deferral)) s)"
                )
            } else if let latest = policy.batchTroughWaitSeconds, oldest < latest {
                let slots = Double(current) * policy.targetBacklogPerWorker
                if let trough = batchTrough(at: time, within: latest - oldest, slots: slots) {
                    let deferred = min(observed.waitingBatch, trough.room)
                    let counted = observed.waitingBatch - deferred
                    if deferred > 0 {
                        signals = observed.withoutWaitingBatch(deferred)
                        rules.append(.batchTrough)
                    }
                    let when =
                        trough.start <= time
                        ? "now" : "in \(ReactiveRule.format(trough.start.timeIntervalSince(time).rounded())) s"
                    let quietest =
                        "the forecast's quietest interval \(when) (load \(ReactiveRule.format(trough.load.rounded())) "
                        + "in \(ReactiveRule.format(slots)) job slots)"
                    let deadline = "(\(waited)\(ReactiveRule.format(latest)) s)"
                    reasons.append(
                        deferred > 0
                            ? "\(deferred) of \(observed.waitingBatch) batch jobs wait for \(quietest), \(counted) count "
                                + deadline
                            : "\(observed.waitingBatch) batch jobs count: \(quietest) has no room for them \(deadline)")
                }
            }
        }

        return signals
    }

    /// The forecast's quietest interval within `remaining` seconds; nil without a forecast worth following.
    private func batchTrough(at time: Date, within remaining: Double, slots: Double) -> BatchTrough? {
        guard let recorder = loadRecorder, let confidence = recorder.confidence,
            confidence >= recorder.settings.minimumConfidence
        else { return nil }
        let forecasts = recorder.forecasts(from: time, through: time.addingTimeInterval(remaining))
        return BatchTrough(forecasts: forecasts, slots: slots)
    }

    private func applyRateLimits(
        _ desired: Int, current: Int, at time: Date, rules: inout [ScalingRule], reasons: inout [String]
    ) -> Int {
        if desired > current {
            let limit = scaleEvents.scaleUpLimit(currentWorkers: current, at: time, rates: policy.rates)
            if desired > limit {
                rules.append(.rateLimit)
                reasons.append("scale-up rate allows \(max(limit, current)) of \(desired)")
                return max(limit, current)
            }
        } else if desired < current {
            let limit = scaleEvents.scaleDownLimit(currentWorkers: current, at: time, rates: policy.rates)
            if desired < limit {
                rules.append(.rateLimit)
                reasons.append("scale-down rate allows \(min(limit, current)) of \(desired)")
                return min(limit, current)
            }
        }
        return desired
    }

    private func applyBounds(
        _ desired: Int, current: Int, signals: PoolSignals, workers: [PoolWorker], rules: inout [ScalingRule],
        reasons: inout [String]
    ) -> Int {
        var bounded = desired
        if bounded > policy.maxWorkers {
            rules.append(.maxWorkers)
            reasons.append("capped at max \(policy.maxWorkers) workers")
            bounded = policy.maxWorkers
        }
        if bounded < policy.minWorkers {
            rules.append(.minWorkers)
            reasons.append("raised to min \(policy.minWorkers) workers")
            bounded = policy.minWorkers
        }
        // Busy workers are never drained, so scale-in cannot go below them whatever max says.
        let busy = max(signals.busyWorkers, workers.filter { !$0.isIdle }.count)
        if bounded < current, bounded < busy {
            rules.append(.busyFloor)
            reasons.append("\(busy) workers are busy")
            bounded = min(busy, current)
        }
        return bounded
    }

    private func scaleUp(
        by proposed: Int, current: Int, signals: PoolSignals, forecastLoad: Double?, rules: inout [ScalingRule],
        reasons: inout [String]
    ) -> ScalingAction {
        guard let cost = policy.cost else {
            return .scaleUp(count: proposed, instanceType: nil, spot: false)
        }
        // The forecast counts running jobs too; only what would wait matters for the wait saved.
        let backlog = max(Double(signals.waiting), (forecastLoad ?? 0) - Double(signals.inFlight))
        let judgement = CostJudgement(
            proposed: proposed, backlog: backlog, signals: signals, settings: cost)
        rules += judgement.rules
        reasons += judgement.reasons
        // The minimum is a promise of capacity, not a bet on the queue.
        var count = judgement.count
        // Cost chooses how capacity is bought, not whether a service level is kept: once a job waits beyond the
        // target, the whole scale-up goes ahead.
        if count < proposed, signals.waiting > 0, signals.oldestWaitSeconds > policy.targetWaitSeconds {
            count = proposed
            reasons.append(
                "a job waited \(ReactiveRule.format(signals.oldestWaitSeconds.rounded())) s, beyond the target "
                    + "\(ReactiveRule.format(policy.targetWaitSeconds)) s: cost does not hold back +\(proposed)")
        }
        let belowMinimum = max(policy.minWorkers - current, 0)
        if count < belowMinimum {
            count = min(belowMinimum, proposed)
            reasons.append("min \(policy.minWorkers) workers overrides cost")
        }
        guard count > 0 else { return .none }
        return .scaleUp(count: count, instanceType: judgement.instanceType?.name, spot: judgement.spot)
    }

    private func drain(
        _ count: Int, workers: [PoolWorker], current: Int, rules: inout [ScalingRule], reasons: inout [String]
    ) -> ScalingAction {
        guard pendingDrains.isEmpty else {
            rules.append(.drainPending)
            reasons.append("waiting for \(pendingDrains.count) draining workers to finish")
            return .none
        }
        let chosen = DrainSelection.choose(count, from: workers, excluding: pendingDrains)
        if chosen.count < count {
            rules.append(.noIdleWorkers)
            reasons.append("only \(chosen.count) of \(count) workers to remove are idle")
        }
        guard !chosen.isEmpty else { return .none }
        return .drain(workers: chosen)
    }
}
