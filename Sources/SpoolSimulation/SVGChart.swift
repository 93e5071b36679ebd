import Foundation

/// Stacked line charts as standalone SVG text: a title, a legend with one colour per series name (the same in
/// every panel), and per panel axes with ticks, grid lines and labels. No dependencies; opens in any browser.
public struct SVGChart: Sendable, Equatable {
    public var title: String
    public var xLabel: String
    public var panels: [ChartPanel]
    public var width: Double
    public var panelHeight: Double

    public init(title: String, xLabel: String, panels: [ChartPanel], width: Double = 1_000, panelHeight: Double = 220) {
        self.title = title
        self.xLabel = xLabel
        self.panels = panels
        self.width = width
        self.panelHeight = panelHeight
    }

    /// Colour-blind-safe (Okabe–Ito), then greys.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

    private static let left = 80.0
    private static let right = 30.0
    private static let top = 80.0
    private static let panelGap = 60.0
    private static let bottom = 50.0

    public func svg() -> String {
        let names = legendNames
        let color = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Self.color($0)) })
        let height = Self.top + Double(panels.count) * (panelHeight + Self.panelGap) - Self.panelGap + Self.bottom
        let plotWidth = width - Self.left - Self.right
        let xMax = max(panels.flatMap { $0.series.flatMap(\.xs) }.max() ?? 1, 1e-9)
        let xTicks = Self.ticks(upTo: xMax)

        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.f(width))" height="\(Self.f(height))" \
            viewBox="0 0 \(Self.f(width)) \(Self.f(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect x="0" y="0" width="\(Self.f(width))" height="\(Self.f(height))" fill="#ffffff"/>
            <text x="\(Self.f(width / 2))" y="28" text-anchor="middle" font-size="18" font-weight="bold">\
            \(Self.escape(title))</text>

            """
        // Legend: a short line and the name, laid out in a row.
        var legendX = Self.left
        for name in names {
            let dashed = panels.contains { $0.series.contains { $0.name == name && $0.dashed } }
            out += """
                <line x1="\(Self.f(legendX))" y1="50" x2="\(Self.f(legendX + 24))" y2="50" stroke="\(color[name]!)" \
                stroke-width="3"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>
                <text x="\(Self.f(legendX + 30))" y="54">\(Self.escape(name))</text>

                """
            legendX += 40 + Double(name.count) * 7.5
        }

        for (index, panel) in panels.enumerated() {
            let y0 = Self.top + Double(index) * (panelHeight + Self.panelGap)
            let yMax = max(panel.series.flatMap(\.ys).max() ?? 1, 1e-9)
            let yTicks = Self.ticks(upTo: yMax)
            let yTop = yTicks.last ?? yMax
            func px(_ x: Double) -> Double { Self.left + x / (xTicks.last ?? xMax) * plotWidth }
            func py(_ y: Double) -> Double { y0 + panelHeight - y / yTop * panelHeight }

            out += "<g>\n"
            out += "<text x=\"\(Self.f(Self.left))\" y=\"\(Self.f(y0 - 8))\" font-weight=\"bold\">"
            out += "\(Self.escape(panel.title))</text>\n"
            for tick in yTicks {
                out +=
                    "<line x1=\"\(Self.f(Self.left))\" y1=\"\(Self.f(py(tick)))\" x2=\"\(Self.f(width - Self.right))\" "
                out += "y2=\"\(Self.f(py(tick)))\" stroke=\"#e0e0e0\"/>\n"
                out += "<text x=\"\(Self.f(Self.left - 6))\" y=\"\(Self.f(py(tick) + 4))\" text-anchor=\"end\">"
                out += "\(Self.label(tick))</text>\n"
            }
            for tick in xTicks {
                out += "<line x1=\"\(Self.f(px(tick)))\" y1=\"\(Self.f(y0 + panelHeight))\" x2=\"\(Self.f(px(tick)))\" "
                out += "y2=\"\(Self.f(y0 + panelHeight + 5))\" stroke=\"#333333\"/>\n"
                out += "<text x=\"\(Self.f(px(tick)))\" y=\"\(Self.f(y0 + panelHeight + 18))\" text-anchor=\"middle\">"
                out += "\(Self.label(tick))</text>\n"
            }
            // Axes drawn after the grid so they sit on top.
            out += "<line x1=\"\(Self.f(Self.left))\" y1=\"\(Self.f(y0))\" x2=\"\(Self.f(Self.left))\" "
            out += "y2=\"\(Self.f(y0 + panelHeight))\" stroke=\"#333333\"/>\n"
            out += "<line x1=\"\(Self.f(Self.left))\" y1=\"\(Self.f(y0 + panelHeight))\" "
            out += "x2=\"\(Self.f(width - Self.right))\" y2=\"\(Self.f(y0 + panelHeight))\" stroke=\"#333333\"/>\n"
            let labelY = y0 + panelHeight / 2
            out += "<text x=\"20\" y=\"\(Self.f(labelY))\" text-anchor=\"middle\" "
            out += "transform=\"rotate(-90 20 \(Self.f(labelY)))\">\(Self.escape(panel.yLabel))</text>\n"
            for series in panel.series {
                let points = zip(series.xs, series.ys).map { "\(Self.f(px($0))),\(Self.f(py($1)))" }
                out += "<polyline fill=\"none\" stroke=\"\(color[series.name]!)\" stroke-width=\"1.5\""
                out += series.dashed ? " stroke-dasharray=\"6 4\"" : ""
                out += " points=\"\(points.joined(separator: " "))\"/>\n"
            }
            out += "</g>\n"
        }
        out += "<text x=\"\(Self.f(Self.left + plotWidth / 2))\" y=\"\(Self.f(height - 12))\" text-anchor=\"middle\">"
        out += "\(Self.escape(xLabel))</text>\n"
        out += "</svg>\n"
        return out
    }

    /// Series names in first-seen order, each once.
    private var legendNames: [String] {
        var seen: Set<String> = []
        return panels.flatMap { $0.series.map(\.name) }.filter { seen.insert($0).inserted }
    }

    private static func color(_ index: Int) -> String { palette[index % palette.count] }

    /// Round tick values from 0 to at least `maximum`: steps of 1, 2 or 5 × 10ⁿ, about five of them.
    static func ticks(upTo maximum: Double) -> [Double] {
        let rough = maximum / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let count = Int((maximum / step).rounded(.up))
        return (0...max(count, 1)).map { Double($0) * step }
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func label(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
