/// One line of a chart panel: a name for the legend and its points (x in hours).
public struct ChartSeries: Sendable, Equatable {
    public var name: String
    public var xs: [Double]
    public var ys: [Double]
    /// Dashed lines mark references (the offered load) rather than outcomes.
    public var dashed: Bool

    public init(name: String, xs: [Double], ys: [Double], dashed: Bool = false) {
        self.name = name
        self.xs = xs
        self.ys = ys
        self.dashed = dashed
    }
}

/// One panel of a chart: its own y axis, a shared x axis.
public struct ChartPanel: Sendable, Equatable {
    public var title: String
    public var yLabel: String
    public var series: [ChartSeries]

    public init(title: String, yLabel: String, series: [ChartSeries]) {
        self.title = title
        self.yLabel = yLabel
        self.series = series
    }
}
