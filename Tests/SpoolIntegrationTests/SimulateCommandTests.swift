import Foundation
import TestSupport
import Testing

/// `spool simulate` as a user runs it: a real process, its JSON report, its chart.
@Suite struct SimulateCommandTests {
    func simulate(_ arguments: [String]) async throws -> (status: Int32, output: Data) {
        let outcome = try await TestCommand.run(try SpoolBinary.url().path, ["simulate"] + arguments)
        return (outcome.status, Data(outcome.stdout.utf8))
    }

    @Test func theSameSeedGivesTheSameReportAndAChart() async throws {
        let chart = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: chart) }
        let arguments = ["--hours", "1", "--peak", "80", "--no-packing", "--json", "--seed", "7"]
        let first = try await simulate(arguments + ["--svg", chart.path])
        let second = try await simulate(arguments)
        #expect(first.status == 0 && second.status == 0)
        // The same report apart from how long each run took on the wall clock.
        var report = try #require(try JSONSerialization.jsonObject(with: first.output) as? [String: Any])
        var again = try #require(try JSONSerialization.jsonObject(with: second.output) as? [String: Any])
        #expect(report.removeValue(forKey: "wall_seconds") is Double)
        #expect(again.removeValue(forKey: "wall_seconds") is Double)
        #expect(NSDictionary(dictionary: report).isEqual(to: again))
        let policies = try #require(report["policies"] as? [[String: Any]])
        #expect(policies.compactMap { $0["policy"] as? String }.prefix(3) == ["hpa", "predictive", "predictive+cost"])
        #expect(policies.allSatisfy { ($0["gpu_hours"] as? Double ?? 0) > 0 })
        let svg = try String(contentsOf: chart, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("</svg>"))
        #expect(try await simulate(["--policies", "nope"]).status != 0)
    }

    /// On a terminal a bar follows the run on stderr and is cleared before the report; anywhere else there is none.
    /// `script` (util-linux, in every Debian) gives the command a pseudo-terminal, as a person's shell would.
    @Test func aTerminalSeesAProgressBarAndAPipeDoesNot() async throws {
        let spool = try SpoolBinary.url().path
        let arguments = ["simulate", "--hours", "2", "--peak", "80", "--no-packing", "--policies", "hpa,fixed-4"]
        let onTerminal = try await TestCommand.run(
            "script", ["-qec", ([spool] + arguments).joined(separator: " "), "/dev/null"],
            environment: ["TERM": "xterm"])
        #expect(onTerminal.status == 0)
        let screen = onTerminal.stdout
        #expect(screen.contains("▕") && screen.contains("▏ 100%"), "no bar in \(screen.prefix(400))")
        #expect(screen.contains("of 2 h simulated") || screen.contains("2 h simulated, finishing queued jobs"))
        #expect(screen.contains("runs done"))
        // The bar's line is cleared before the wall time and the report are written.
        let clearedAt = try #require(screen.range(of: "\r\u{1B}[2Ksimulated 2 h in"))
        #expect(screen[clearedAt.upperBound...].contains("policy "))
        #expect(!screen[clearedAt.upperBound...].contains("▕"))

        let piped = try await TestCommand.run(spool, arguments)
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("▕") && !piped.stderr.contains("\r"))
        #expect(piped.stderr.hasPrefix("simulated 2 h in ") && piped.stdout.contains("policy "))
    }
}
