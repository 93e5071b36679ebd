import Foundation
import SpoolCore

/// Folds per-evaluation backlog into fixed intervals (the peak of each, since capacity must cover the peak) and
/// feeds the closed intervals to the seasonal model.
struct LoadRecorder: Sendable {
    let settings: PredictiveSettings
    private(set) var model: HoltWinters
    private var openInterval: Int?
    private var openPeak = 0.0
    private(set) var accuracy = ForecastAccuracy()

    init(settings: PredictiveSettings, history: [Double]) {
        self.settings = settings
        model = HoltWinters(
            seasonLength: settings.seasonLength, alpha: settings.alpha, beta: settings.beta, gamma: settings.gamma)
        for load in history {
            observe(load)
        }
    }

    /// How well the model forecast the intervals it saw last; nil until enough were scored.
    var confidence: Double? { accuracy.confidence }

    /// Scores the forecast the model held for this interval, then lets the model learn it.
    private mutating func observe(_ load: Double) {
        if let expected = model.forecast(stepsAhead: 1) { accuracy.score(forecast: max(expected, 0), actual: load) }
        model.observe(load)
    }

    /// Adds one evaluation's load. Returns the interval this closed, if it closed one, for the stored history.
    @discardableResult
    mutating func record(_ load: Double, at time: Date) -> DemandSample? {
        let interval = intervalIndex(of: time)
        guard let open = openInterval else {
            openInterval = interval
            openPeak = load
            return nil
        }
        if interval <= open {
            openPeak = max(openPeak, load)
            return nil
        }
        observe(openPeak)
        // Intervals without an evaluation repeat the last peak, at most a season of them, to keep phases aligned.
        for _ in 0..<Self.gapFill(from: open, to: interval, settings: settings) {
            model.observe(openPeak)
        }
        let closed = DemandSample(start: start(of: open), peak: openPeak)
        openInterval = interval
        openPeak = load
        return closed
    }

    /// How many times a closed interval's peak is repeated for the intervals up to `next` that saw no evaluation.
    static func gapFill(from interval: Int, to next: Int, settings: PredictiveSettings) -> Int {
        max(0, min(next - interval - 1, settings.seasonLength))
    }

    /// The series a recorder that had been running all along would have fed its model, from a pool's stored history,
    /// for a recorder whose first evaluation falls at `now`: each sample's peak in order, each gap filled as `record`
    /// fills it (also the gap up to `now`'s interval), and nothing from `now`'s interval on (it is still open).
    static func series(from history: [DemandSample], before now: Date, settings: PredictiveSettings) -> [Double] {
        let interval = { (date: Date) in
            Int((date.timeIntervalSince1970 / max(settings.sampleIntervalSeconds, 1)).rounded(.down))
        }
        let current = interval(now)
        var latest: [Int: Double] = [:]
        for sample in history where interval(sample.start) < current {
            latest[interval(sample.start)] = max(latest[interval(sample.start)] ?? 0, sample.peak)
        }
        let intervals = latest.keys.sorted()
        var series: [Double] = []
        for (position, index) in intervals.enumerated() {
            let peak = latest[index] ?? 0
            series.append(peak)
            let next = position + 1 < intervals.count ? intervals[position + 1] : current
            series += Array(repeating: peak, count: gapFill(from: index, to: next, settings: settings))
        }
        return series
    }

    /// The load expected when a worker asked for at `time` is ready.
    func forecast(at time: Date) -> Double? {
        let readyInterval = intervalIndex(of: time.addingTimeInterval(settings.bootSeconds))
        // The model has seen up to the interval before the open one.
        let steps = openInterval.map { readyInterval - $0 + 1 } ?? settings.forecastSteps
        return model.forecast(stepsAhead: max(steps, 1)).map { max($0, 0) }
    }

    /// The load expected in each interval from the one holding `time` to the one holding `end`, with each interval's
    /// start; empty without a forecast. Only the intervals after the last closed one are forecast; before the first
    /// evaluation the model's history ends just before `time`'s interval.
    func forecasts(from time: Date, through end: Date) -> [(start: Date, load: Double)] {
        let open = openInterval ?? intervalIndex(of: time)
        let first = max(intervalIndex(of: time), open)
        let last = intervalIndex(of: end)
        guard first <= last else { return [] }
        return (first...last).compactMap { interval in
            model.forecast(stepsAhead: interval - open + 1).map { (start(of: interval), max($0, 0)) }
        }
    }

    private func start(of interval: Int) -> Date {
        Date(timeIntervalSince1970: Double(interval) * max(settings.sampleIntervalSeconds, 1))
    }

    private func intervalIndex(of time: Date) -> Int {
        Int((time.timeIntervalSince1970 / max(settings.sampleIntervalSeconds, 1)).rounded(.down))
    }
}
