import Foundation
import SpoolCore
import SpoolMedia
import SpoolTraceContext
import Tracing

/// The spans of an attempt: `worker.attempt` in the job's own trace (a child of the context the job was submitted
/// under), and one child per step: claim, download, probe, ffmpeg, validate, upload, commit.
extension AttemptRunner {
    /// Starts the attempt's span at `since` (the claim's start, when the slot claimed it), with the claim as its first
    /// child. With tracing off both are no-ops.
    static func startAttemptSpan(
        _ job: Job, lease: Lease, pool: String, since: DefaultTracerClock.Instant?
    ) -> any Span {
        let parent = TraceParent.context(traceParent: job.spec.traceParent)
        let span = startSpan("worker.attempt", context: parent, ofKind: .consumer, at: since ?? DefaultTracerClock.now)
        span.attributes[SpoolSpanAttribute.job] = job.id.rawValue
        span.attributes[SpoolSpanAttribute.tenant] = job.spec.tenant.rawValue
        span.attributes[SpoolSpanAttribute.attempt] = lease.attempt
        span.attributes[SpoolSpanAttribute.pool] = pool
        span.attributes[SpoolSpanAttribute.worker] = lease.worker.rawValue
        span.attributes["spool.attempt.kind"] =
            job.spec.segment != nil ? "segment_task" : job.segmentation?.isSplit == true ? "join" : "job"
        if let placement = job.placement {
            span.attributes["spool.placement.path"] = placement.path.rawValue
            if let gpu = placement.gpu { span.attributes["spool.placement.gpu"] = gpu }
        }
        if let since {
            let claim = startSpan("worker.claim", context: span.context, at: since)
            claim.attributes[SpoolSpanAttribute.job] = job.id.rawValue
            claim.attributes[SpoolSpanAttribute.attempt] = lease.attempt
            claim.attributes["spool.claim.placed"] = job.placement != nil
            claim.end()
        }
        return span
    }

    /// How the attempt ended, on its span: a failure is the span's error.
    static func record(_ outcome: Outcome, on span: any Span) {
        switch outcome {
        case .finished(.success(let produced)):
            span.attributes["spool.attempt.outcome"] =
                produced.awaitSegmentsUntil != nil ? "awaiting_segments" : "succeeded"
            if let earlier = produced.reusedFrom { span.attributes["spool.deduplicated_from"] = earlier.rawValue }
        case .finished(.failure(let error)):
            span.attributes["spool.attempt.outcome"] = "failed"
            span.attributes["spool.error.code"] = error.code.rawValue
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: error.message))
        case .stopped(let reply):
            span.attributes["spool.attempt.outcome"] = reply == .cancelled ? "cancelled" : "lease_lost"
        case .interrupted:
            span.attributes["spool.attempt.outcome"] = "handed_back"
        }
    }

    /// How ffmpeg ended, on its span (`process.exit.code` as OpenTelemetry names it).
    static func record(_ exit: FFmpegExit, on span: any Span) {
        if let code = exit.code { span.attributes["process.exit.code"] = Int(code) }
        if let signal = exit.signal { span.attributes["spool.ffmpeg.signal"] = Int(signal) }
    }

    static func eventName(_ event: JobEvent) -> String {
        switch event {
        case .succeed: "succeed"
        case .fail: "fail"
        case .handBack: "hand_back"
        case .awaitSegments: "await_segments"
        default: "other"
        }
    }

    /// The job's input staged for this attempt, in `worker.download` (a file:// input is only resolved in place).
    func download(_ job: Job, attemptDirectory: String) async throws -> String {
        try await withSpan("worker.download") { span in
            span.attributes["spool.input.kind"] = Self.inputKind(job.spec.input)
            let path = try await stageInput(job.spec.input, tenant: job.spec.tenant, attemptDirectory: attemptDirectory)
            if let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int {
                span.attributes["spool.input.bytes"] = size
            }
            return path
        }
    }

    /// This attempt's files put in the bucket under its own keys before the commit, in `worker.upload`; nothing to
    /// do (and no span) when the data directory is the storage, where the commit publishes them in place.
    func upload(_ job: Job, lease: Lease, failure: String) async throws {
        guard let remote else { return }
        try await withSpan("worker.upload") { span in
            span.attributes["spool.storage"] = remote.objects.name
            do {
                try await remote.upload(job.id, attempt: lease.attempt)
            } catch {
                throw JobError(code: .internalError, message: "\(failure): \(error)")
            }
        }
    }

    static func inputKind(_ input: InputSource) -> String {
        switch input {
        case .file: "file"
        case .http: "http"
        case .upload: "upload"
        case .object: "object"
        }
    }
}
