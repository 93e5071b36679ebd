import Foundation

/// One evaluation's outcome with everything that led to it, for logs, the API and tests.
public struct ScalingDecision: Sendable, Codable, Equatable, CustomStringConvertible {
    public var time: Date
    public var signals: PoolSignals
    /// Workers counted as capacity: ready plus booting, less those already draining.
    public var currentWorkers: Int
    /// The worker count the pool should reach once the action is carried out.
    public var desiredWorkers: Int
    public var action: ScalingAction
    /// What the HPA rule alone recommended, before stabilization, rates and bounds.
    public var reactiveWorkers: Int
    /// What the forecast alone recommended; nil without predictive settings.
    public var predictiveWorkers: Int?
    public var forecastLoad: Double?
    /// 1 − the forecast's weighted error over its last intervals; nil before enough were scored. Below the policy's
    /// minimum the forecast is not followed.
    public var forecastConfidence: Double?
    public var rules: [ScalingRule]
    /// Human sentences, one per rule that fired, in the order they applied.
    public var reasons: [String]

    public init(
        time: Date, signals: PoolSignals, currentWorkers: Int, desiredWorkers: Int, action: ScalingAction,
        reactiveWorkers: Int, predictiveWorkers: Int?, forecastLoad: Double?, forecastConfidence: Double? = nil,
        rules: [ScalingRule],
        reasons: [String]
    ) {
        self.forecastConfidence = forecastConfidence
        self.time = time
        self.signals = signals
        self.currentWorkers = currentWorkers
        self.desiredWorkers = desiredWorkers
        self.action = action
        self.reactiveWorkers = reactiveWorkers
        self.predictiveWorkers = predictiveWorkers
        self.forecastLoad = forecastLoad
        self.rules = rules
        self.reasons = reasons
    }

    public var description: String {
        let summary: String
        switch action {
        case .none:
            summary = "keep \(currentWorkers) workers"
        case .scaleUp(let count, let instanceType, let spot):
            let kind = instanceType.map { " \($0)\(spot ? " spot" : " on-demand")" } ?? ""
            summary = "scale up \(currentWorkers) → \(currentWorkers + count) (+\(count)\(kind))"
        case .drain(let workers):
            summary =
                "drain \(workers.count) (\(workers.joined(separator: ", "))), \(currentWorkers) → \(desiredWorkers)"
        }
        // The forecast is worth a glance even when it changed nothing: it says what the pool expects next.
        let forecast =
            forecastLoad.map { load in
                "; forecast \(ReactiveRule.format(load.rounded())) jobs, "
                    + (forecastConfidence.map { "confidence \(String(format: "%.2f", $0))" } ?? "confidence not scored yet")
            } ?? ""
        return reasons.isEmpty ? summary + forecast : "\(summary): \(reasons.joined(separator: "; "))\(forecast)"
    }

    private enum CodingKeys: String, CodingKey {
        case time, signals, action, rules, reasons
        case currentWorkers = "current_workers"
        case desiredWorkers = "desired_workers"
        case reactiveWorkers = "reactive_workers"
        case predictiveWorkers = "predictive_workers"
        case forecastLoad = "forecast_load"
        case forecastConfidence = "forecast_confidence"
    }
}
