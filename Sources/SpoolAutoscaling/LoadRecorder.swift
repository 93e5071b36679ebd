import Foundation

/// Folds per-evaluation backlog into fixed intervals (the peak of each, since capacity must cover the peak) and
/// feeds the closed intervals to the seasonal model.
struct LoadRecorder: Sendable {
    let settings: PredictiveSettings
    private(set) var model: HoltWinters
    private var openInterval: Int?
    private var openPeak = 0.0

    init(settings: PredictiveSettings, history: [Double]) {
        self.settings = settings
        model = HoltWinters(
            seasonLength: settings.seasonLength, alpha: settings.alpha, beta: settings.beta, gamma: settings.gamma)
        for load in history {
            model.observe(load)
        }
    }

    mutating func record(_ load: Double, at time: Date) {
        let interval = intervalIndex(of: time)
        guard let open = openInterval else {
            openInterval = interval
            openPeak = load
            return
        }
        if interval <= open {
            openPeak = max(openPeak, load)
            return
        }
        model.observe(openPeak)
        // Intervals without an evaluation repeat the last peak, at most a season of them, to keep phases aligned.
        for _ in 0..<min(interval - open - 1, settings.seasonLength) {
            model.observe(openPeak)
        }
        openInterval = interval
        openPeak = load
    }

    /// The load expected when a worker asked for at `time` is ready.
    func forecast(at time: Date) -> Double? {
        let readyInterval = intervalIndex(of: time.addingTimeInterval(settings.bootSeconds))
        // The model has seen up to the interval before the open one.
        let steps = openInterval.map { readyInterval - $0 + 1 } ?? settings.forecastSteps
        return model.forecast(stepsAhead: max(steps, 1)).map { max($0, 0) }
    }

    private func intervalIndex(of time: Date) -> Int {
        Int((time.timeIntervalSince1970 / max(settings.sampleIntervalSeconds, 1)).rounded(.down))
    }
}
