import Foundation
import SpoolCore
import SpoolDispatch
import Testing

@Suite struct EvictionHistoryTests {
    let settings = PreemptionSettings(protectAfterEvictions: 2, protectionSeconds: 600)
    let job = JobID(rawValue: "job")

    @Test func aJobIsProtectedAfterItsSecondEvictionForTheWindow() {
        var history = EvictionHistory()
        history.recordEviction(of: job, at: at(0))
        #expect(!history.isProtected(job, at: at(1), settings: settings))
        history.recordEviction(of: job, at: at(100))
        #expect(history.isProtected(job, at: at(101), settings: settings))
        #expect(history.isProtected(job, at: at(699), settings: settings))
        #expect(!history.isProtected(job, at: at(700), settings: settings))
        #expect(history.protectedUntil(job, settings: settings) == at(700))
    }

    @Test func annotatesRunningJobsAndForgets() {
        var history = EvictionHistory()
        history.recordEviction(of: job, at: at(10))
        history.recordEviction(of: job, at: at(20))
        let annotated = history.annotated(RunningJob(id: job, serviceClass: .batch, demand: .zero, startedAt: at(30)))
        #expect(annotated.evictions == 2)
        #expect(annotated.lastEvictedAt == at(20))
        #expect(annotated.isProtected(at: at(30), settings: settings))
        history.forget(job)
        #expect(history.evictionCount(of: job) == 0)
        #expect(history.evictions(of: job).isEmpty)
    }

    @Test func aCountWithoutATimeProtectsForGood() {
        #expect(settings.isProtected(evictions: 2, lastEvictedAt: nil, at: at(1_000_000)))
        #expect(!settings.isProtected(evictions: 1, lastEvictedAt: nil, at: at(0)))
    }
}
