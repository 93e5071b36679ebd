import Foundation
import SpoolCore
import SpoolDispatch
import Testing

@Suite struct OverloadDegradationTests {
    let degradation = OverloadDegradation()

    @Test func realtimeMovesToCPUOnlyPastItsTargetAndUnderSaturation() {
        #expect(degradation.decide(serviceClass: .realtime, waited: 3, poolIsSaturated: true).action == .keepWaiting)
        #expect(degradation.decide(serviceClass: .realtime, waited: 5, poolIsSaturated: true).action == .keepWaiting)
        #expect(degradation.decide(serviceClass: .realtime, waited: 6, poolIsSaturated: false).action == .keepWaiting)
        let moved = degradation.decide(serviceClass: .realtime, waited: 6, poolIsSaturated: true)
        #expect(moved.action == .moveToPool("cpu"))
        #expect(moved.reason == "waited 6 s on a saturated pool, past realtime's target of 5 s; moving to cpu")
    }

    @Test func aJobAlreadyOnTheFallbackPoolKeepsWaiting() {
        let decision = degradation.decide(
            serviceClass: .realtime, waited: 60, poolIsSaturated: true, currentPool: "cpu")
        #expect(decision.action == .keepWaiting)
        #expect(decision.reason.hasSuffix("already queued for cpu"))
    }

    @Test func standardEncodesTheSameOutputsFaster() {
        #expect(degradation.decide(serviceClass: .standard, waited: 59, poolIsSaturated: true).action == .keepWaiting)
        let job = waiting("s", serviceClass: .standard, enqueuedAt: 0)
        let decision = degradation.decide(for: job, now: at(61), poolIsSaturated: true, currentSpeed: .standard)
        #expect(decision.action == .encodeFaster)
        let again = degradation.decide(for: job, now: at(61), poolIsSaturated: true, currentSpeed: .faster)
        #expect(again.action == .keepWaiting)
    }

    @Test func aJobThatForbidsDegradationWaitsWhateverItsClassSays() {
        for serviceClass in [ServiceClass.realtime, .standard] {
            let decision = degradation.decide(
                serviceClass: serviceClass, waited: 3600, poolIsSaturated: true, consent: .forbid)
            #expect(decision.action == .keepWaiting)
            #expect(decision.reason.hasSuffix("the job forbids degradation, so it waits at full quality"))
        }
    }

    @Test func batchWaitsHoweverLong() {
        let decision = degradation.decide(serviceClass: .batch, waited: 86_400, poolIsSaturated: true)
        #expect(decision.action == .keepWaiting)
        #expect(decision.reason.hasSuffix("batch waits rather than degrade"))
    }

    @Test func everyKindFollowsItsConfiguration() throws {
        let configuration = try DispatchConfiguration(policies: [
            .batch: ServiceClassPolicy(
                rank: 2, reservedShare: 0, targetWait: 30, degradation: .fasterEncoding),
            .realtime: ServiceClassPolicy(rank: 0, reservedShare: 0.2, targetWait: 1, degradation: .wait),
            .standard: ServiceClassPolicy(
                rank: 1, reservedShare: 0.1, targetWait: 10, degradation: .moveToPool("opencl")),
        ])
        let degradation = OverloadDegradation(configuration: configuration)
        #expect(
            degradation.decide(serviceClass: .batch, waited: 31, poolIsSaturated: true).action
                == .encodeFaster)
        #expect(degradation.decide(serviceClass: .realtime, waited: 31, poolIsSaturated: true).action == .keepWaiting)
        #expect(
            degradation.decide(serviceClass: .standard, waited: 11, poolIsSaturated: true).action
                == .moveToPool("opencl"))
        #expect(degradation.decide(serviceClass: .standard, waited: 9, poolIsSaturated: true).action == .keepWaiting)
    }
}
