import Foundation
import GPUMemoryLedger
import SpoolCore
import SpoolDispatch
import SpoolScheduling
import TestThreads
import Testing

@testable import SpoolPlacement

@Suite(.cpuBound) struct SchedulerConfigurationTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scheduler-\(UUID().uuidString).json")
            .path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The example in docs/scheduling.md is the configuration users copy; it must load as documented.
    @Test func theDocumentedExampleLoads() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/scheduling.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let start = try #require(text.range(of: "```json\n"))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let configuration = try SchedulerConfiguration.load(
            from: try write(String(text[start.upperBound..<end.lowerBound])))
        #expect(configuration.profile == .seed)
        #expect(configuration.ledger.strategy == .bestFit)
        #expect(configuration.dispatch.fairness == .weightedFair)
        #expect(configuration.dispatch.weight(of: TenantID(rawValue: "acme")) == 3)
        #expect(configuration.dispatch.policy(for: .realtime).degradation == .moveToPool("cpu"))
        #expect(configuration.interval == .milliseconds(200))
        #expect(configuration.wakeGap == .milliseconds(50))
    }

    /// Left out, the gap follows the store: batches on Redis, none in one process.
    @Test func theWakeGapDefaultsByStore() throws {
        #expect(try SchedulerConfiguration.load(from: try write("{}")).wakeGap == nil)
        #expect(SchedulerConfiguration.defaultWakeGap(sharedStore: true) == .milliseconds(50))
        #expect(SchedulerConfiguration.defaultWakeGap(sharedStore: false) == .zero)
    }

    /// The gap between woken cycles may be turned off (every wake-up a cycle) but not made negative.
    @Test func theWakeGapLoads() throws {
        #expect(try SchedulerConfiguration.load(from: try write(#"{"wake_gap_ms": 5}"#)).wakeGap == .milliseconds(5))
        #expect(try SchedulerConfiguration.load(from: try write(#"{"wake_gap_ms": 0}"#)).wakeGap == .zero)
        #expect(try SchedulerConfiguration.load(from: try write(#"{"wake_gap_ms": -3}"#)).wakeGap == .zero)
    }

    @Test func customProfilesAndLedgersLoad() throws {
        let configuration = try SchedulerConfiguration.load(
            from: try write(
                #"{"profile": {"name": "cool", "weights": {"thermal": 0.5, "spread": 0.5}, "sampling": {"kind": "feasible", "limit": 50}, "filters": ["pool", "gpu_memory"]}, "ledger": {"strategy": "buddy", "overcommit_ratio": 1.5}}"#
            ))
        #expect(configuration.profile.name == "cool" && configuration.profile.sampling == .feasible(limit: 50))
        #expect(configuration.ledger.strategy == .buddy && configuration.ledger.overcommitRatio == 1.5)
        #expect(try SchedulerConfiguration.load(from: try write("{}")) == SchedulerConfiguration())
    }

    @Test func mistakesAreRefusedWithWhatToFix() throws {
        let cases: [(String, String)] = [
            (#"{"profile": "fastest"}"#, "unknown profile 'fastest'"),
            (
                #"{"profile": {"name": "x", "weights": {"vibes": 1}, "sampling": {"kind": "all"}}}"#,
                "unknown score plugin 'vibes'"
            ),
            (#"{"memory_headroom": 1.5}"#, "memory_headroom"),
            (#"{"dispatch": {"fairness": "coin_toss"}}"#, "coin_toss"),
            ("{not json", "scheduler configuration"),
        ]
        for (text, expected) in cases {
            do {
                _ = try SchedulerConfiguration.load(from: try write(text))
                Issue.record("accepted \(text)")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
        #expect(throws: SchedulerConfigurationFileError.self) {
            try SchedulerConfiguration.load(from: "/nonexistent/x.json")
        }
    }
}
