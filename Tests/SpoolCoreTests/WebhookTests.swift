import Foundation
import SpoolAPIModels
import Testing

@testable import SpoolCore

@Suite struct WebhookTests {
    let lifecycle = JobLifecycle(retryPolicy: RetryPolicy(maxAttempts: 2))
    let t0 = Date(timeIntervalSince1970: 2_000_000)
    let worker = WorkerID(rawValue: "wrk_cpu_a")
    let policy = WebhookRetryPolicy(maxAttempts: 4, baseDelay: .seconds(2), maxDelay: .seconds(5))

    func job(callback: String?) -> Job {
        Job(
            id: JobID(rawValue: "job_w"),
            spec: JobSpec(
                input: .file(path: "/in/a.mp4"), outputs: Presets.named("web-360p")!.outputs, callbackURL: callback),
            now: t0)
    }

    func running(_ job: Job) throws -> Job {
        try lifecycle.apply(.claim(worker: worker, pool: "cpu", leaseDuration: .seconds(30)), to: job, now: t0).job
    }

    @Test func everyEndingOfAJobWithACallbackQueuesOneDelivery() throws {
        let queued = job(callback: "https://hooks.example.com/spool")
        let started = try running(queued)
        #expect(
            try lifecycle.apply(.succeed(started.currentLease!, outputs: []), to: started, now: t0).effects
                .contains(.deliverWebhook))
        let broken = JobError(code: .invalidInput, message: "not a video")
        #expect(
            try lifecycle.apply(.fail(started.currentLease!, broken), to: started, now: t0).effects
                .contains(.deliverWebhook))
        #expect(try lifecycle.apply(.cancel, to: queued, now: t0).effects == [.deliverWebhook])
        // Not yet ended: a retryable failure with budget left goes back to the queue, and says nothing.
        let crash = JobError(code: .transcodeFailed, message: "ffmpeg crashed")
        let requeued = try lifecycle.apply(.fail(started.currentLease!, crash), to: started, now: t0)
        #expect(requeued.job.state == .queued)
        #expect(!requeued.effects.contains(.deliverWebhook))
    }

    @Test func jobsWithoutACallbackQueueNothing() throws {
        let started = try running(job(callback: nil))
        let done = try lifecycle.apply(.succeed(started.currentLease!, outputs: []), to: started, now: t0)
        #expect(!done.effects.contains(.deliverWebhook))
    }

    @Test func reusedOutputsAreVisibleOnTheJobAndSurviveStorage() throws {
        let started = try running(job(callback: nil))
        let earlier = JobID(rawValue: "job_earlier")
        let done = try lifecycle.apply(
            .succeed(started.currentLease!, outputs: [], reusedFrom: earlier), to: started, now: t0
        ).job
        #expect(done.deduplicatedFrom == earlier)
        let view = JobView(done, layout: DataLayout(root: "/data"))
        #expect(view.deduplicated && view.deduplicatedFrom == earlier)
        let decoded = try StoredJSON.decode(Job.self, from: try StoredJSON.encode(done), what: "job")
        #expect(decoded.deduplicatedFrom == earlier)
    }

    @Test func a2xxDeliversAndSettles() {
        let next = policy.next(
            after: .answered(status: 204), delivery: .queued(for: JobID(rawValue: "j"), now: t0), now: t0, jitter: 0.5)
        #expect(next.state == .delivered)
        #expect(next.attempts == 1)
        #expect(next.deliveredAt == t0)
        #expect(next.nextAttemptAt == nil)
    }

    @Test func failuresBackOffWithJitterWithinHalfToAllOfTheDelay() {
        var delivery = WebhookDelivery.queued(for: JobID(rawValue: "j"), now: t0)
        delivery = policy.next(after: .answered(status: 503), delivery: delivery, now: t0, jitter: 0)
        #expect(delivery.state == .pending)
        #expect(delivery.nextAttemptAt == t0.addingTimeInterval(1))  // half of 2 s
        delivery = policy.next(after: .unreachable("connection refused"), delivery: delivery, now: t0, jitter: 1)
        #expect(delivery.nextAttemptAt == t0.addingTimeInterval(4))  // all of 4 s
        #expect(delivery.lastError == "connection refused")
        delivery = policy.next(after: .answered(status: 429), delivery: delivery, now: t0, jitter: 1)
        #expect(delivery.nextAttemptAt == t0.addingTimeInterval(5))  // capped
        delivery = policy.next(after: .answered(status: 500), delivery: delivery, now: t0, jitter: 1)
        #expect(delivery.state == .failed)
        #expect(delivery.attempts == 4)
        #expect(delivery.nextAttemptAt == nil)
        #expect(delivery.lastError?.contains("gave up after 4 tries") == true)
    }

    @Test func aRefusalOrAForbiddenAddressIsNotRetried() {
        let queued = WebhookDelivery.queued(for: JobID(rawValue: "j"), now: t0)
        let refused = policy.next(after: .answered(status: 404), delivery: queued, now: t0, jitter: 0)
        #expect(refused.state == .failed && refused.lastStatus == 404)
        let forbidden = policy.next(after: .forbidden("resolves to 10.0.0.1"), delivery: queued, now: t0, jitter: 0)
        #expect(forbidden.state == .failed && forbidden.lastError == "resolves to 10.0.0.1")
        #expect(WebhookRetryPolicy.isWorthRetrying(status: 408))
        #expect(!WebhookRetryPolicy.isWorthRetrying(status: 410))
    }

    @Test func callbackURLsMustBeHTTPWithAHostAndNoCredentials() throws {
        let policy = InputPolicy(inputRoots: ["/in"])
        func spec(_ url: String) throws(SpecError) -> JobSpec {
            try JobRequest(input: "file:///in/a.mp4", preset: "web-360p", callbackURL: url).validate(policy: policy)
        }
        #expect(try spec("https://hooks.example.com/x?y=1").callbackURL == "https://hooks.example.com/x?y=1")
        for bad in ["ftp://hooks.example.com/x", "https:///nohost", "not a url", "https://u:p@hooks.example.com/"] {
            #expect(throws: SpecError.self) { try spec(bad) }
        }
        #expect(throws: SpecError.self) { try spec("https://example.com/" + String(repeating: "a", count: 2100)) }
    }
}
