import Foundation
import SpoolAutoscaling
import Testing

@Suite("Decision coding")
struct DecisionCodingTests {
    static func decision() -> ScalingDecision {
        var autoscaler = Autoscaler(policy: CostAwareScalingTests.policy(CostAwareScalingTests.batch))
        return autoscaler.evaluate(CostAwareScalingTests.backlogged(), workers: [])
    }

    @Test func encodesWithSnakeCaseKeysAndRoundTrips() throws {
        let decision = Self.decision()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        let json = try #require(String(data: try encoder.encode(decision), encoding: .utf8))
        for key in [
            "\"current_workers\":4", "\"desired_workers\":8", "\"reactive_workers\":20", "\"kind\":\"scale_up\"",
            "\"instance_type\":\"g5.xlarge\"", "\"spot\":true", "\"in_flight\":4", "\"oldest_wait_seconds\":30",
            "\"rules\":[\"backlog_ratio\",\"rate_limit\"]",
        ] {
            #expect(json.contains(key), "\(key) in \(json)")
        }
        #expect(!json.contains("Workers\""))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(ScalingDecision.self, from: Data(json.utf8)) == decision)
    }

    @Test func readsAsOneLineWithItsReasons() {
        let description = Self.decision().description
        #expect(!description.contains("\n"))
        #expect(description.hasPrefix("scale up 4 → 8 (+4 g5.xlarge spot): backlog 40 (36 waiting + 4 running)"))
        #expect(description.contains("ratio 5"))
        #expect(description.contains("scale-up rate allows 8 of 20"))
    }

    @Test func policiesRoundTripThroughConfiguration() throws {
        let policy = AutoscalerPolicy(
            minWorkers: 1, maxWorkers: 10, targetBacklogPerWorker: 2, predictive: PredictiveSettings(),
            cost: CostSettings(catalog: CostAwareScalingTests.catalog, serviceClass: CostAwareScalingTests.batch))
        let data = try JSONEncoder().encode(policy)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"target_backlog_per_worker\""))
        #expect(json.contains("\"spot_price_per_hour\""))
        #expect(try JSONDecoder().decode(AutoscalerPolicy.self, from: data) == policy)
    }
}
