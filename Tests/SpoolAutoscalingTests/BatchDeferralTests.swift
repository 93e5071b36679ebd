import Foundation
import SpoolAutoscaling
import Testing

@Suite("Batch in cheap hours")
struct BatchDeferralTests {
    static func policy(deferral: Double?) -> AutoscalerPolicy {
        AutoscalerPolicy(maxWorkers: 100, targetBacklogPerWorker: 2, batchDeferralSeconds: deferral)
    }

    /// 4 workers carry 8 running jobs; 40 batch jobs and 2 standard ones wait.
    static func signals(oldestBatchWait: Double, oldestOtherWait: Double = 5, inFlight: Int = 8) -> PoolSignals {
        PoolSignals(
            time: PoolTrace.start, waiting: 42, inFlight: inFlight, busyWorkers: 4, readyWorkers: 4,
            oldestWaitSeconds: max(oldestBatchWait, oldestOtherWait), waitingBatch: 40,
            oldestBatchWaitSeconds: oldestBatchWait, oldestOtherWaitSeconds: oldestOtherWait)
    }

    static let workers = (0..<4).map {
        PoolWorker(id: "w\($0)", runningJobs: 2, hourlyPrice: 1, startedAt: PoolTrace.start)
    }

    static func decide(_ policy: AutoscalerPolicy, _ signals: PoolSignals) -> ScalingDecision {
        var autoscaler = Autoscaler(policy: policy)
        return autoscaler.evaluate(signals, workers: workers)
    }

    @Test func waitingBatchJobsDoNotBuyCapacityBeforeTheirDeferralEnds() {
        let decision = Self.decide(Self.policy(deferral: 1_800), Self.signals(oldestBatchWait: 600))
        // Without the batch jobs: 2 waiting + 8 running on 4 workers is 2.5 per worker → 5 workers.
        #expect(decision.reactiveWorkers == 5)
        #expect(decision.rules.contains(.batchDeferred))
        #expect(decision.description.contains("40 batch jobs wait for paid-for capacity (oldest 600 s of 1800 s)"))
        // The decision log keeps what was observed.
        #expect(decision.signals.waiting == 42)
    }

    @Test func theyCountOnceTheOldestReachesItSoTheSLOHolds() {
        let decision = Self.decide(Self.policy(deferral: 1_800), Self.signals(oldestBatchWait: 1_800))
        #expect(decision.reactiveWorkers == 25)
        #expect(!decision.rules.contains(.batchDeferred))
    }

    @Test func withoutADeferralBatchCountsLikeAnyOtherClass() {
        let decision = Self.decide(Self.policy(deferral: nil), Self.signals(oldestBatchWait: 10))
        #expect(decision.reactiveWorkers == 25)
        #expect(!decision.rules.contains(.batchDeferred))
    }

    @Test func theOldestWaitRuleLooksOnlyAtWorkThatCannotWait() {
        // 2 standard jobs waiting + 6 running on 4 workers is on target: only the oldest-wait rule could add one.
        // The batch job that waited 20 minutes does not trigger it; a standard one past 60 s does.
        let patient = Self.decide(
            Self.policy(deferral: 1_800), Self.signals(oldestBatchWait: 1_200, oldestOtherWait: 5, inFlight: 6))
        #expect(patient.rules.contains(.tolerance))
        #expect(!patient.rules.contains(.oldestWait))
        let urgent = Self.decide(
            Self.policy(deferral: 1_800), Self.signals(oldestBatchWait: 1_200, oldestOtherWait: 90, inFlight: 6))
        #expect(urgent.rules.contains(.oldestWait))
        #expect(urgent.desiredWorkers == 5)
    }

    @Test func signalsStoredBeforeTheBatchFieldsStillDecode() throws {
        let json = #"""
            {"time": "2023-11-15T00:00:00Z", "waiting": 3, "in_flight": 1, "busy_workers": 1, "ready_workers": 1,
             "booting_workers": 0, "oldest_wait_seconds": 12}
            """#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let signals = try decoder.decode(PoolSignals.self, from: Data(json.utf8))
        #expect(signals.waitingBatch == 0)
        #expect(signals.oldestOtherWaitSeconds == 12)
        #expect(signals.recentSpotInterruptions == nil)
    }
}
