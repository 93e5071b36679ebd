import Foundation
import SpoolAutoscaling
import SpoolDispatch
import Testing

@Suite("Holt-Winters forecast")
struct HoltWintersTests {
    static let season = 24
    static let amplitude = 30.0
    static let slope = 0.5
    static let noise = 2.0

    static func truth(_ index: Int) -> Double {
        100 + slope * Double(index) + amplitude * sin(2 * .pi * Double(index) / Double(season))
    }

    @Test func forecastsADailySineWithTrendAfterTwoSeasons() throws {
        var generator = SplitMix64(seed: 7)
        var model = HoltWinters(seasonLength: Self.season, alpha: 0.3, beta: 0.05, gamma: 0.3)
        let observed = 3 * Self.season
        for index in 0..<observed {
            model.observe(Self.truth(index) + Double.random(in: -Self.noise...Self.noise, using: &generator))
        }
        #expect(model.isInitialized)
        var errors: [Double] = []
        for step in 1...Self.season {
            let forecast = try #require(model.forecast(stepsAhead: step))
            errors.append(abs(forecast - Self.truth(observed - 1 + step)))
        }
        let meanError = errors.reduce(0, +) / Double(errors.count)
        // Uniform noise of ±2 has a mean magnitude of 1; smoothing with alpha 0.3 and gamma 0.3 passes roughly that
        // much into the components, so a mean error within 1.5× the noise bound (3 % of the swing) is a working
        // model, while ignoring the season would be off by the amplitude (about 19 on average).
        #expect(meanError < 1.5 * Self.noise, "mean error \(meanError)")
        #expect(errors.max()! < 3 * Self.noise, "worst error \(errors.max()!)")
    }

    @Test func fallsBackToTheLastValueAndThenToTheSameHourYesterday() {
        var model = HoltWinters(seasonLength: 4, alpha: 0.5, beta: 0.1, gamma: 0.5)
        #expect(model.forecast(stepsAhead: 1) == nil)
        model.observe(10)
        model.observe(20)
        #expect(model.forecast(stepsAhead: 3) == 20)
        for value in [30.0, 40, 11, 21] {
            model.observe(value)
        }
        // Six samples of a four-sample season: step 1 is phase 2, last seen as 30; step 3 is phase 0, last seen 11.
        #expect(model.forecast(stepsAhead: 1) == 30)
        #expect(model.forecast(stepsAhead: 3) == 11)
        #expect(model.forecast(stepsAhead: 6) == 40)
        #expect(!model.isInitialized)
    }
}

@Suite("Predictive scaling")
struct PredictiveScalingTests {
    static let settings = PredictiveSettings(
        sampleIntervalSeconds: 900, seasonLength: 96, alpha: 0.3, beta: 0.05, gamma: 0.3, bootSeconds: 1800)

    /// A quiet day with a two-hour midday rush: 10 jobs, 70 from interval 48 (12:00) to 55.
    static func load(_ interval: Int) -> Double {
        (48...55).contains(interval % 96) ? 70 : 10
    }

    @Test func scalesUpForThePeakOneBootTimeBeforeIt() throws {
        let policy = AutoscalerPolicy(
            minWorkers: 1, maxWorkers: 100, targetBacklogPerWorker: 2,
            rates: ScalingRates(scaleUp: [.workers(100, per: 15)]), predictive: Self.settings)
        let history = (0..<(2 * 96)).map(Self.load)
        var trace = PoolTrace(autoscaler: Autoscaler(policy: policy, loadHistory: history), workers: 5)
        for interval in 0...46 {
            trace.step(
                at: PoolTrace.start.addingTimeInterval(900 * Double(interval)), waiting: Int(Self.load(interval)))
        }
        // Nothing before 11:30 looks ahead to the rush...
        #expect(trace.decisions.dropLast().allSatisfy { $0.action == .none && !$0.rules.contains(.predictive) })
        // ...and at 11:30, one boot time before it, the pool grows for it although the current load wants 5.
        let beforePeak = try #require(trace.decisions.last)
        let forecast = try #require(beforePeak.forecastLoad)
        #expect(abs(forecast - 70) < 0.05 * 70, "forecast \(forecast)")
        #expect(beforePeak.reactiveWorkers == 5)
        #expect(beforePeak.predictiveWorkers == 35)
        #expect(beforePeak.rules.contains(.predictive))
        #expect(beforePeak.action == .scaleUp(count: 30, instanceType: nil, spot: false))
    }
}
