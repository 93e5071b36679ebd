import Foundation
import SpoolAutoscaling
import Testing

@Suite("Forecast confidence")
struct ForecastConfidenceTests {
    static let predictive = PredictiveSettings(sampleIntervalSeconds: 60, seasonLength: 6, bootSeconds: 90)
    static let policy = AutoscalerPolicy(maxWorkers: 100, targetBacklogPerWorker: 2, predictive: predictive)
    /// A day that repeats itself: the model learns it exactly.
    static let season: [Double] = [2, 4, 8, 16, 8, 4]
    static let idle = PoolSignals(time: PoolTrace.start, waiting: 0, inFlight: 0, busyWorkers: 0, readyWorkers: 0)

    static func decide(history: [Double]) -> ScalingDecision {
        var autoscaler = Autoscaler(policy: policy, loadHistory: history)
        return autoscaler.evaluate(idle, workers: [])
    }

    @Test func aForecastThatHasBeenRightIsFollowedAndSaysHowSure() throws {
        let decision = Self.decide(history: Array(repeating: Self.season, count: 4).flatMap { $0 })
        let confidence = try #require(decision.forecastConfidence)
        #expect(confidence > 0.95)
        #expect(decision.reactiveWorkers == 0)
        #expect(decision.predictiveWorkers == 2)
        #expect(decision.desiredWorkers == 2)
        #expect(decision.rules.contains(.predictive))
        #expect(decision.description.contains("(confidence 1.00)") || decision.description.contains("(confidence 0.9"))
        #expect(decision.description.hasSuffix("; forecast 4 jobs, confidence \(String(format: "%.2f", confidence))"))
    }

    @Test func aForecastThatHasBeenWrongIsShownButTheReactiveRuleDecides() throws {
        // Three good days, then the last two hours swing between nothing and a flood the season never showed.
        let goodDays: [Double] = Array(repeating: Self.season, count: 3).flatMap { $0 }
        let history = goodDays + [60, 0, 60, 0, 60, 0, 60, 0]
        let decision = Self.decide(history: history)
        let confidence = try #require(decision.forecastConfidence)
        #expect(confidence < Self.predictive.minimumConfidence)
        let predictive = try #require(decision.predictiveWorkers)
        #expect(predictive > decision.reactiveWorkers)
        #expect(decision.desiredWorkers == decision.reactiveWorkers)
        #expect(decision.rules.contains(.forecastLowConfidence))
        #expect(!decision.rules.contains(.predictive))
        #expect(decision.description.contains("not followed: confidence"))
        #expect(decision.description.contains("→ the reactive rule alone"))
    }

    @Test func aForecastWithNothingScoredIsNotFollowed() throws {
        // One interval of history: a forecast exists (the last value) but nothing says how good it is.
        let decision = Self.decide(history: [16])
        #expect(decision.forecastConfidence == nil)
        #expect(decision.predictiveWorkers == 8)
        #expect(decision.desiredWorkers == 0)
        #expect(decision.rules.contains(.forecastLowConfidence))
        #expect(decision.description.contains("fewer than 4 intervals scored"))
        #expect(decision.description.hasSuffix("; forecast 16 jobs, confidence not scored yet"))
    }

    @Test func theConfidenceRoundTripsThroughTheDecisionLog() throws {
        let decision = Self.decide(history: Array(repeating: Self.season, count: 4).flatMap { $0 })
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(decision)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"forecast_confidence\""))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(ScalingDecision.self, from: data) == decision)
    }

    @Test func aConfigurationWithoutTheMinimumKeepsTheDefault() throws {
        let json = #"{"sample_interval_seconds": 900, "season_length": 96, "boot_seconds": 180}"#
        let settings = try JSONDecoder().decode(PredictiveSettings.self, from: Data(json.utf8))
        #expect(settings.minimumConfidence == 0.5)
        #expect(settings.alpha == 0.3)
    }
}
