import Foundation
import SpoolAutoscaling
import SpoolCore
import SpoolDispatch
import Testing

/// An autoscaler made from the demand history another one recorded forecasts exactly as that one does, whatever the
/// gaps between evaluations (a manager down for a while, a pool evaluated irregularly).
@Suite struct DemandHistoryTests {
    static let predictive = PredictiveSettings(sampleIntervalSeconds: 60, seasonLength: 6, bootSeconds: 90)
    static let policy = AutoscalerPolicy(maxWorkers: 100, targetBacklogPerWorker: 2, predictive: predictive)
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func signals(_ backlog: Int, at time: Date) -> PoolSignals {
        PoolSignals(time: time, waiting: backlog, inFlight: 0, busyWorkers: 0, readyWorkers: 0)
    }

    @Test(arguments: [1, 2, 3])
    func aRestoredAutoscalerForecastsAsTheOneThatRecorded(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var running = Autoscaler(policy: Self.policy)
        var stored: [DemandSample] = []
        var time = Self.start
        for step in 0..<80 {
            // Mostly a few evaluations a minute; now and then minutes, or more than a season, without any.
            let gap: Double =
                step % 17 == 16
                ? Double.random(in: 300...500, using: &generator)
                : Double.random(in: 5...40, using: &generator)
            time = time.addingTimeInterval(gap)
            let backlog = Int(10 + 8 * sin(Double(step) / 3)) + Int.random(in: 0...3, using: &generator)
            let decision = running.evaluate(Self.signals(backlog, at: time), workers: [])
            stored += running.takeClosedDemand()
            // A new autoscaler from what was stored, evaluated at the same moment with the same load. (Within the
            // interval still open: its peak so far is in memory only, as it is for a leader that dies.)
            let probe = time.addingTimeInterval(0.5)
            let minute = { (date: Date) in Int(date.timeIntervalSince1970 / 60) }
            guard step > 30, minute(probe) == minute(time) else { continue }
            var copy = running
            var restored = Autoscaler(policy: Self.policy, demandHistory: stored, now: probe)
            let expected = copy.evaluate(Self.signals(backlog, at: probe), workers: []).forecastLoad
            let found = restored.evaluate(Self.signals(backlog, at: probe), workers: []).forecastLoad
            #expect(found == expected, "step \(step) (decision \(decision.desiredWorkers))")
        }
        #expect(!stored.isEmpty)
    }

    @Test func historyFromNowOnIsIgnoredAndRepeatedIntervalsKeepTheirPeak() {
        let history = [
            DemandSample(start: Self.start, peak: 4),
            DemandSample(start: Self.start.addingTimeInterval(60), peak: 6),
            DemandSample(start: Self.start.addingTimeInterval(60), peak: 2),
            DemandSample(start: Self.start.addingTimeInterval(240), peak: 9),
        ]
        let now = Self.start.addingTimeInterval(250)
        let restored = Autoscaler(policy: Self.policy, demandHistory: history, now: now)
        // 4, then 6 (the higher of the interval's two), repeated for the two silent minutes; the open minute is not in.
        #expect(restored.observedIntervals == 4)
    }
}
