extension SVGChart {
    /// The report's three views over time: load (with the offered load dashed), workers, and p95 queue wait, one
    /// line per policy.
    public init(report: SimulationReport) {
        func hours(_ timeline: [TimelinePoint]) -> [Double] { timeline.map { $0.minute / 60 } }
        let bucketHours = report.timelineBucketSeconds / 3_600
        let offered = ChartSeries(
            name: "offered load", xs: report.offeredLoad.indices.map { Double($0 + 1) * bucketHours },
            ys: report.offeredLoad, dashed: true)
        let load = report.policies.map {
            ChartSeries(name: $0.policy, xs: hours($0.timeline), ys: $0.timeline.map { Double($0.load) })
        }
        let workers = report.policies.map {
            ChartSeries(name: $0.policy, xs: hours($0.timeline), ys: $0.timeline.map { Double($0.workers) })
        }
        let waits = report.policies.map {
            ChartSeries(name: $0.policy, xs: hours($0.timeline), ys: $0.timeline.map(\.p95WaitSeconds))
        }
        self.init(
            title: "Spool autoscaling: \(report.workload.name) workload, \(report.workload.jobs) jobs, "
                + "\(report.fleet.instanceType.name) (\(report.fleet.gpuModel))",
            xLabel: "hours since start",
            panels: [
                ChartPanel(title: "Load: jobs waiting + running", yLabel: "jobs", series: [offered] + load),
                ChartPanel(title: "Workers: ready + booting", yLabel: "workers", series: workers),
                ChartPanel(title: "Queue wait: p95 per 5 minutes", yLabel: "seconds", series: waits),
            ])
    }
}
