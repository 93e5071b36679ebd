/// The load a workload offers when every job starts on arrival and runs on NVENC: the mean number of jobs in
/// flight per interval. It sizes fixed fleets, stands in for the forecast's recorded history ("yesterday looked
/// like today"), and is the reference line of the charts.
public struct OfferedLoad: Sendable, Equatable {
    public var intervalSeconds: Double
    public var meanConcurrency: [Double]

    public init(_ workload: Workload, intervalSeconds: Double) {
        let width = max(intervalSeconds, 1)
        let count = max(Int((workload.durationSeconds / width).rounded(.up)), 1)
        var busySeconds = Array(repeating: 0.0, count: count)
        for job in workload.jobs {
            let start = job.arrivalSeconds
            let end = start + job.durations.nvencSeconds
            var interval = Int(start / width)
            while interval < count, Double(interval) * width < end {
                let from = max(start, Double(interval) * width)
                let to = min(end, Double(interval + 1) * width)
                busySeconds[interval] += max(to - from, 0)
                interval += 1
            }
        }
        self.intervalSeconds = width
        meanConcurrency = busySeconds.map { $0 / width }
    }

    public var peak: Double { meanConcurrency.max() ?? 0 }
}
