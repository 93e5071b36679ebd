/// Additive Holt-Winters (triple exponential smoothing): level, trend and one seasonal offset per phase.
///
/// The components are initialised from the first two seasons, so until two seasons are observed the forecast falls
/// back to the same phase of the last season (seasonal naive), and before a whole season to the last value.
public struct HoltWinters: Sendable, Equatable {
    public let seasonLength: Int
    public let alpha: Double
    public let beta: Double
    public let gamma: Double

    /// Samples kept until two seasons allow initialisation; empty afterwards, when the components carry the history.
    private var warmUp: [Double] = []
    private var level = 0.0
    private var trend = 0.0
    private var seasonal: [Double]
    public private(set) var observedCount = 0

    public init(seasonLength: Int, alpha: Double, beta: Double, gamma: Double) {
        self.seasonLength = max(seasonLength, 1)
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        seasonal = Array(repeating: 0, count: max(seasonLength, 1))
    }

    public var isInitialized: Bool { observedCount >= 2 * seasonLength }

    public mutating func observe(_ value: Double) {
        if isInitialized {
            smooth(value, at: observedCount)
            observedCount += 1
            return
        }
        warmUp.append(value)
        observedCount += 1
        if isInitialized {
            initialize()
        }
    }

    /// The load expected `stepsAhead` samples after the last one observed; nil before any observation.
    public func forecast(stepsAhead: Int) -> Double? {
        let steps = max(stepsAhead, 1)
        if isInitialized {
            let phase = (observedCount - 1 + steps) % seasonLength
            return level + Double(steps) * trend + seasonal[phase]
        }
        guard let last = warmUp.last else { return nil }
        guard warmUp.count >= seasonLength else { return last }
        // Same phase one season before the forecast time; always inside the buffer since steps >= 1.
        let target = warmUp.count - 1 + steps
        let oneSeasonBack = target - seasonLength * ((target - warmUp.count) / seasonLength + 1)
        return warmUp[oneSeasonBack]
    }

    private mutating func initialize() {
        let length = seasonLength
        let firstMean = warmUp[0..<length].reduce(0, +) / Double(length)
        let secondMean = warmUp[length..<(2 * length)].reduce(0, +) / Double(length)
        trend = (secondMean - firstMean) / Double(length)
        // A season's mean sits at its middle sample; removing the trend around it keeps the slope out of the
        // seasonal offsets.
        let middle = Double(length - 1) / 2
        for phase in 0..<length {
            let first = warmUp[phase] - (firstMean + trend * (Double(phase) - middle))
            let second = warmUp[length + phase] - (secondMean + trend * (Double(phase) - middle))
            seasonal[phase] = (first + second) / 2
        }
        // The level one step before the first sample, then smoothing replays both seasons.
        level = firstMean - trend * (middle + 1)
        let samples = warmUp
        warmUp = []
        for (index, sample) in samples.enumerated() {
            smooth(sample, at: index)
        }
    }

    private mutating func smooth(_ value: Double, at index: Int) {
        let phase = index % seasonLength
        let previousLevel = level
        level = alpha * (value - seasonal[phase]) + (1 - alpha) * (level + trend)
        trend = beta * (level - previousLevel) + (1 - beta) * trend
        seasonal[phase] = gamma * (value - level) + (1 - gamma) * seasonal[phase]
    }
}
