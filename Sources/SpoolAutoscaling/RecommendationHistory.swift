import Foundation

/// Recent recommendations, for HPA's stabilization windows.
struct RecommendationHistory: Sendable {
    private struct Entry: Sendable {
        var time: Date
        var workers: Int
    }

    private var entries: [Entry] = []

    /// Records `recommendation` and returns what the windows allow: no lower than the highest recommendation of
    /// the scale-down window, no higher than the lowest of the scale-up window, starting from the current count.
    mutating func stabilize(
        _ recommendation: Int, currentWorkers: Int, at time: Date, windows: StabilizationWindows
    ) -> Int {
        let longest = max(windows.scaleDownSeconds, windows.scaleUpSeconds)
        entries.removeAll { time.timeIntervalSince($0.time) > longest }
        var upRecommendation = recommendation
        var downRecommendation = recommendation
        for entry in entries {
            let age = time.timeIntervalSince(entry.time)
            if age < windows.scaleUpSeconds {
                upRecommendation = min(upRecommendation, entry.workers)
            }
            if age < windows.scaleDownSeconds {
                downRecommendation = max(downRecommendation, entry.workers)
            }
        }
        entries.append(Entry(time: time, workers: recommendation))
        return min(max(currentWorkers, upRecommendation), downRecommendation)
    }
}
