import Foundation
import TestThreads
import Testing

@testable import SpoolSimulation

@Suite(.cpuBound) struct SVGChartTests {
    @Test func theChartIsWellFormedWithOnePolylinePerSeries() throws {
        let simulator = Simulator(
            workload: SmallWorkloads.burst(), fleet: SmallWorkloads.smallFleet,
            settings: SimulationSettings(comparePacking: false))
        let report = try simulator.run()
        let chart = SVGChart(report: report)
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</svg>"))
        let series = chart.panels.reduce(0) { $0 + $1.series.count }
        // Load (offered + one per policy), workers and wait (one per policy each).
        #expect(series == 1 + 3 * report.policies.count)
        #expect(svg.components(separatedBy: "<polyline").count - 1 == series)
        for policy in report.policies { #expect(svg.contains(">\(policy.policy)</text>")) }
    }

    @Test func textIsEscaped() {
        let chart = SVGChart(
            title: "a < b & c", xLabel: "x",
            panels: [ChartPanel(title: "p", yLabel: "y", series: [ChartSeries(name: "s\"1", xs: [0, 1], ys: [0, 1])])])
        let svg = chart.svg()
        #expect(svg.contains("a &lt; b &amp; c"))
        #expect(svg.contains("s&quot;1"))
    }
}

@Suite(.cpuBound) struct TraceReaderTests {
    @Test func aGoodTraceLoadsInArrivalOrder() throws {
        let csv = """
            # a comment
            arrival_seconds,tenant,class,preset,seconds_gpu,seconds_cpu
            30,acme,standard,web-720p,120,600
            0,globex,realtime,hls-ladder,300,1800

            15.5,acme,batch,web-720p,90,400
            """
        let workload = try TraceReader().read(csv)
        #expect(workload.jobs.map(\.arrivalSeconds) == [0, 15.5, 30])
        #expect(workload.kinds == [JobKind(preset: "web-720p"), JobKind(preset: "hls-ladder")])
        #expect(workload.jobs[0].serviceClass == .realtime)
        #expect(workload.jobs[0].durations.nvencSeconds == 300)
        #expect(workload.jobs[0].durations.cpuSeconds == 1800)
        #expect(workload.durationSeconds == 30)
    }

    @Test(arguments: [
        ("0,acme,urgent,web-720p,120,600", "class 'urgent'"),
        ("0,acme,standard,web-4k,120,600", "preset 'web-4k'"),
        ("0,acme,standard,web-720p,fast,600", "seconds_gpu 'fast'"),
        ("0,acme,standard,web-720p,120,0", "seconds_cpu is 0"),
        ("-5,acme,standard,web-720p,120,600", "arrival_seconds is -5"),
        ("0,acme,standard,web-720p,120", "expected 6"),
        ("0,,standard,web-720p,120,600", "tenant is empty"),
    ])
    func aBadRowNamesItsLine(row: String, complaint: String) throws {
        let csv =
            "arrival_seconds,tenant,class,preset,seconds_gpu,seconds_cpu\n10,acme,standard,web-720p,60,300\n\(row)\n"
        let error = try #require(throws: TraceError.self) { try TraceReader().read(csv) }
        #expect(error.line == 3)
        #expect(error.description.hasPrefix("line 3: "))
        #expect(error.message.contains(complaint), "\(error.message)")
    }

    @Test func aMissingHeaderIsReported() throws {
        let error = try #require(throws: TraceError.self) { try TraceReader().read("0,acme,standard,web-720p,1,1\n") }
        #expect(error.line == 1)
        #expect(error.message.contains("arrival_seconds,tenant,class,preset,seconds_gpu,seconds_cpu"))
    }
}
