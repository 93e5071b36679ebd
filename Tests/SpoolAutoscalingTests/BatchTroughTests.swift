import Foundation
import SpoolAutoscaling
import Testing

@Suite("Batch planned into forecast troughs")
struct BatchTroughTests {
    /// One-minute intervals, a season of six: three busy minutes, two quiet ones, one busy.
    static let predictive = PredictiveSettings(sampleIntervalSeconds: 60, seasonLength: 6, bootSeconds: 30)
    static let season: [Double] = [10, 10, 10, 2, 2, 10]

    static func policy(troughWait: Double? = 1_200) -> AutoscalerPolicy {
        AutoscalerPolicy(
            maxWorkers: 100, targetBacklogPerWorker: 2, predictive: predictive, batchDeferralSeconds: 600,
            batchTroughWaitSeconds: troughWait)
    }

    /// 5 workers (10 job slots) run 8 jobs; 20 batch jobs wait, the oldest for `oldestBatchWait` seconds.
    static func decide(
        oldestBatchWait: Double, policy: AutoscalerPolicy = policy(),
        history: [Double] = Array(
            repeating: season, count: 4
        ).flatMap { $0 }
    ) -> ScalingDecision {
        var autoscaler = Autoscaler(policy: policy, loadHistory: history)
        let signals = PoolSignals(
            time: PoolTrace.start, waiting: 20, inFlight: 8, busyWorkers: 4, readyWorkers: 5,
            oldestWaitSeconds: oldestBatchWait, waitingBatch: 20, oldestBatchWaitSeconds: oldestBatchWait,
            oldestOtherWaitSeconds: 0)
        let workers = (0..<5).map {
            PoolWorker(id: "w\($0)", runningJobs: $0 < 4 ? 2 : 0, hourlyPrice: 1, startedAt: PoolTrace.start)
        }
        return autoscaler.evaluate(signals, workers: workers)
    }

    @Test func pastTheirDeferralBatchJobsWaitForTheTroughAsManyAsItHasRoomFor() throws {
        // Oldest at 700 s of 1,200: the forecast is searched 500 s ahead. Three minutes from now the load is 2 in
        // 10 slots, so 8 batch jobs wait for it and 12 count: 12 + 8 running = 20 jobs → 10 workers, not 14.
        let decision = Self.decide(oldestBatchWait: 700)
        #expect(decision.rules.contains(.batchTrough))
        #expect(decision.reactiveWorkers == 10)
        let reason = try #require(decision.reasons.first)
        #expect(reason.hasPrefix("8 of 20 batch jobs wait for the forecast's quietest interval in 180 s (load 2 in 10"))
        #expect(reason.hasSuffix("12 count (oldest 700 s of 1200 s)"))
    }

    @Test func withNoTroughInReachTheyAllCount() throws {
        // Oldest at 1,150 s: only the current, busy minute is in reach, and it has no free slot.
        let decision = Self.decide(oldestBatchWait: 1_150)
        #expect(!decision.rules.contains(.batchTrough))
        #expect(decision.reactiveWorkers == 14)
        #expect(decision.reasons.first?.contains("20 batch jobs count: the forecast's quietest interval now") == true)
    }

    @Test func onceTheTroughWaitIsReachedOrWithoutOneTheyAllCount() {
        #expect(Self.decide(oldestBatchWait: 1_200).reactiveWorkers == 14)
        #expect(Self.decide(oldestBatchWait: 700, policy: Self.policy(troughWait: nil)).reactiveWorkers == 14)
    }

    @Test func aForecastNotWorthFollowingPlansNothing() {
        // The same season, but the last two hours swung between 0 and 60: the confidence falls below 0.5.
        let swings: [Double] = [0, 60, 0, 60, 0, 60, 0, 60, 0, 60, 0, 60]
        let swinging = Array(repeating: Self.season, count: 4).flatMap { $0 } + swings
        let decision = Self.decide(oldestBatchWait: 700, history: swinging)
        #expect(!decision.rules.contains(.batchTrough))
        #expect(decision.reactiveWorkers == 14)
    }

    @Test func beforeTheirDeferralEndsTheyWaitWhateverTheForecast() {
        let decision = Self.decide(oldestBatchWait: 100)
        #expect(decision.rules.contains(.batchDeferred))
        #expect(decision.reactiveWorkers == 4)
    }

    @Test func theQuietestIntervalIsTheEarliestAmongEquals() throws {
        let start = PoolTrace.start
        let forecasts = [10.0, 3, 3, 7].enumerated().map {
            (start.addingTimeInterval(Double($0.offset) * 60), $0.element)
        }
        let trough = try #require(BatchTrough(forecasts: forecasts, slots: 9.5))
        #expect(trough.start == start.addingTimeInterval(60))
        #expect(trough.room == 6)
        #expect(BatchTrough(forecasts: [], slots: 10) == nil)
        #expect(BatchTrough(forecasts: [(start, 12)], slots: 10)?.room == 0)
    }
}
