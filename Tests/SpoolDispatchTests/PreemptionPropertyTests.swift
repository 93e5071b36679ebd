import Foundation
import PropertyBased
import SpoolCore
import SpoolDispatch
import TestThreads
import Testing

@Suite(.cpuBound) struct PreemptionPropertyTests {
    /// Per device: GPU memory in GiB and encoder sessions.
    static let fleets = zip(Gen.int(in: 4...16), Gen.int(in: 1...3)).array(of: 1...3)
    /// Class, priority, GiB, encoder sessions, seconds since the previous arrival, seconds the job runs.
    static let arrivals = zip(
        Gen.int(in: 0...2), Gen.int(in: 0...100), Gen.int(in: 1...8), Gen.int(in: 0...1), Gen.int(in: 0...90),
        Gen.int(in: 60...1800)
    ).array(of: 5...60)

    static func replay(fleet: [(Int, Int)], arrivals: [(Int, Int, Int, Int, Int, Int)]) -> PreemptionReplay {
        var replay = PreemptionReplay(fleet: fleet.map { (memoryGiB: $0.0, encoders: $0.1) })
        for arrival in arrivals {
            replay.arrive(
                PreemptionReplay.Arrival(
                    serviceClass: ServiceClass.allCases[arrival.0], priority: arrival.1, memory: arrival.2,
                    encoders: arrival.3, gap: TimeInterval(arrival.4), duration: TimeInterval(arrival.5)))
        }
        return replay
    }

    @Test func replayedPlansNeverThrashNorEvictTheSameOrAHigherClass() async {
        let limit = DispatchConfiguration.default.preemption.protectAfterEvictions
        var plansCarriedOut = 0
        var runsReachingTheLimit = 0
        await propertyCheck(count: 200, input: Self.fleets, Self.arrivals) { fleet, arrivals in
            let replay = Self.replay(fleet: fleet, arrivals: arrivals)
            #expect(replay.violations.isEmpty, "\(replay.violations)")
            plansCarriedOut += replay.plansCarriedOut
            if let worst = replay.mostEvictionsInAnyProtectionWindow() {
                #expect(worst.count <= limit, "\(worst.job) was evicted \(worst.count) times in one window")
                if worst.count == limit { runsReachingTheLimit += 1 }
            }
        }
        // The fleets are small and busy enough that the rules are exercised, not passed vacuously.
        #expect(plansCarriedOut > 100)
        #expect(runsReachingTheLimit > 10)
    }

    @Test func aJobEvictedTwiceIsLeftAloneForTheWindow() {
        // One 8 GiB device and a long batch job; every 30 s a short standard job needs the whole device, and in
        // between the batch job gets the device back.
        var replay = PreemptionReplay(fleet: [(memoryGiB: 8, encoders: 1)])
        replay.arrive(.init(serviceClass: .batch, priority: 0, memory: 8, encoders: 0, gap: 0, duration: 7200))
        for _ in 0..<6 {
            replay.arrive(.init(serviceClass: .standard, priority: 50, memory: 8, encoders: 0, gap: 30, duration: 20))
        }
        #expect(replay.violations.isEmpty, "\(replay.violations)")
        #expect(replay.history.evictionCount(of: JobID(rawValue: "job-1")) == 2)
        #expect(replay.protectionRefusals > 0)
        #expect(replay.mostEvictionsInAnyProtectionWindow()?.count == 2)
    }
}
