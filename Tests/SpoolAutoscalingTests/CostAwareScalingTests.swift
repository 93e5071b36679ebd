import Foundation
import SpoolAutoscaling
import Testing

@Suite("Cost-aware scaling")
struct CostAwareScalingTests {
    static let catalog = InstanceCatalog([
        InstanceType(
            name: "g5.xlarge", pricePerHour: 1.0, spotPricePerHour: 0.3, bootSeconds: 120, gpusPerInstance: 1,
            jobSlots: 1),
        InstanceType(name: "c7i.large", pricePerHour: 0.09, bootSeconds: 60, jobSlots: 1),
    ])
    static let batch = ServiceClassValue(name: "batch", waitValuePerJobSecond: 0.01, allowsSpot: true)
    static let realtime = ServiceClassValue(name: "realtime", waitValuePerJobSecond: 0.01, allowsSpot: false)

    static func policy(_ serviceClass: ServiceClassValue, catalog: InstanceCatalog = catalog) -> AutoscalerPolicy {
        AutoscalerPolicy(
            minWorkers: 1, maxWorkers: 50, targetBacklogPerWorker: 2,
            cost: CostSettings(catalog: catalog, serviceClass: serviceClass))
    }

    static func backlogged(lastSpotInterruption: Date? = nil) -> PoolSignals {
        PoolSignals(
            time: PoolTrace.start, waiting: 36, inFlight: 4, busyWorkers: 4, readyWorkers: 4, oldestWaitSeconds: 30,
            responseTimeSeconds: 60, lastSpotInterruption: lastSpotInterruption)
    }

    static func evaluate(_ policy: AutoscalerPolicy, _ signals: PoolSignals = backlogged()) -> ScalingDecision {
        var autoscaler = Autoscaler(policy: policy)
        return autoscaler.evaluate(signals, workers: [])
    }

    static let gpuOnly = InstanceCatalog([catalog.types[0]])

    @Test func refusesAScaleUpWhoseWaitIsWorthLessThanTheWorkers() {
        let cheapWait = ServiceClassValue(name: "backfill", waitValuePerJobSecond: 0.000_001, allowsSpot: false)
        let decision = Self.evaluate(Self.policy(cheapWait, catalog: Self.gpuOnly))
        #expect(decision.reactiveWorkers == 20)
        #expect(decision.action == .none)
        #expect(decision.rules.contains(.cost))
        #expect(decision.description.contains("cost: +4 g5.xlarge on-demand would cost 4.00"))
    }

    @Test func acceptsItWhenWaitIsValuable() {
        let precious = ServiceClassValue(name: "live", waitValuePerJobSecond: 1, allowsSpot: false)
        let decision = Self.evaluate(Self.policy(precious, catalog: Self.gpuOnly))
        #expect(decision.action == .scaleUp(count: 4, instanceType: "g5.xlarge", spot: false))
        #expect(!decision.rules.contains(.cost))
    }

    @Test func prefersSpotForBatchAndOnDemandForRealtime() {
        let batch = Self.evaluate(Self.policy(Self.batch, catalog: Self.gpuOnly))
        #expect(batch.action == .scaleUp(count: 4, instanceType: "g5.xlarge", spot: true))
        let realtime = Self.evaluate(Self.policy(Self.realtime, catalog: Self.gpuOnly))
        #expect(realtime.action == .scaleUp(count: 4, instanceType: "g5.xlarge", spot: false))
    }

    @Test func fallsBackToOnDemandAfterARecentSpotInterruption() {
        let recent = Self.evaluate(
            Self.policy(Self.batch, catalog: Self.gpuOnly),
            Self.backlogged(lastSpotInterruption: PoolTrace.start - 600))
        #expect(recent.action == .scaleUp(count: 4, instanceType: "g5.xlarge", spot: false))
        #expect(recent.rules.contains(.spotInterrupted))
        let longAgo = Self.evaluate(
            Self.policy(Self.batch, catalog: Self.gpuOnly),
            Self.backlogged(lastSpotInterruption: PoolTrace.start - 7200))
        #expect(longAgo.action == .scaleUp(count: 4, instanceType: "g5.xlarge", spot: true))
    }

    /// A catalog that says how often its spot instances are taken back (5 per 100 instance-hours).
    static let rated = InstanceCatalog([
        InstanceType(
            name: "g6.xlarge", pricePerHour: 0.805, spotPricePerHour: 0.32, bootSeconds: 180, gpusPerInstance: 1,
            jobSlots: 1, spotInterruptionsPerHour: 0.05)
    ])

    static func interrupted(_ times: Int, spotWorkers: Int) -> PoolSignals {
        var signals = backlogged(lastSpotInterruption: PoolTrace.start - 600)
        signals.recentSpotInterruptions = times
        signals.spotWorkers = spotWorkers
        return signals
    }

    @Test func interruptionsAtTheCatalogsRateAreThePriceOfSpotNotACrunch() {
        // 100 spot workers over the 30-minute backoff: the catalog expects 2.5 interruptions; 2 is normal churn.
        let churn = Self.evaluate(Self.policy(Self.batch, catalog: Self.rated), Self.interrupted(2, spotWorkers: 100))
        #expect(churn.action == .scaleUp(count: 4, instanceType: "g6.xlarge", spot: true))
        #expect(!churn.rules.contains(.spotInterrupted))
        // Twice the expected rate is a crunch: new capacity is on-demand for the backoff, and the reason says why.
        let crunch = Self.evaluate(Self.policy(Self.batch, catalog: Self.rated), Self.interrupted(5, spotWorkers: 100))
        #expect(crunch.action == .scaleUp(count: 4, instanceType: "g6.xlarge", spot: false))
        #expect(crunch.rules.contains(.spotInterrupted))
        #expect(crunch.description.contains("(5 times, above the catalog's rate) → on-demand"))
        // A small pool: one interruption is already far above what two spot workers should see.
        let small = Self.evaluate(Self.policy(Self.batch, catalog: Self.rated), Self.interrupted(1, spotWorkers: 2))
        #expect(small.action == .scaleUp(count: 4, instanceType: "g6.xlarge", spot: false))
    }

    @Test func costNeverHoldsBackCapacityOnceAJobWaitsBeyondTheTarget() {
        let cheapWait = ServiceClassValue(name: "backfill", waitValuePerJobSecond: 0.000_001, allowsSpot: false)
        var late = Self.backlogged()
        late.oldestWaitSeconds = 90
        late.oldestOtherWaitSeconds = 90
        let decision = Self.evaluate(Self.policy(cheapWait, catalog: Self.gpuOnly), late)
        #expect(decision.rules.contains(.cost))
        guard case .scaleUp(let count, _, _) = decision.action else {
            Issue.record("expected a scale-up, got \(decision.action)")
            return
        }
        #expect(count > 0)
        #expect(decision.description.contains("beyond the target 60 s: cost does not hold back"))
    }

    @Test func picksTheCheapestTypePerJobSlot() {
        let catalog = InstanceCatalog([
            InstanceType(name: "g5.xlarge", pricePerHour: 1.0, spotPricePerHour: 0.3, bootSeconds: 120, jobSlots: 1),
            InstanceType(name: "g5.12xlarge", pricePerHour: 5.0, spotPricePerHour: 2.0, bootSeconds: 300, jobSlots: 8),
            InstanceType(name: "c7i.large", pricePerHour: 0.7, bootSeconds: 60, jobSlots: 1),
        ])
        #expect(catalog.cheapestPerSlot(spot: false)?.name == "g5.12xlarge")
        #expect(catalog.cheapestPerSlot(spot: true)?.name == "g5.12xlarge")
        #expect(InstanceCatalog([catalog.types[2]]).cheapestPerSlot(spot: true) == nil)
        let decision = Self.evaluate(Self.policy(Self.batch, catalog: catalog))
        guard case .scaleUp(_, let instanceType, let spot) = decision.action else {
            Issue.record("expected a scale-up, got \(decision)")
            return
        }
        #expect(instanceType == "g5.12xlarge" && spot)
    }
}
