import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SpoolCore

/// What one retention pass deleted.
public struct RetentionReport: Sendable, Equatable {
    public var jobs = 0
    public var objects = 0
    public var uploads = 0
    /// Expired jobs left for the next pass: retried meanwhile, or their files could not be deleted yet.
    public var kept = 0

    public init() {}
}

/// Deletes finished jobs whose retention ended, with their outputs, upload and content-index entry, as `Retention`
/// decides. Runs on the leader every `interval`, a batch at a time until nothing more is due.
public struct RetentionService<C: Clock>: Service where C.Duration == Duration {
    let store: any JobExpiry
    let files: any ExpiredJobFiles
    let leadership: Leadership
    let interval: Duration
    let batch: Int
    let clock: C
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        store: any JobExpiry, files: any ExpiredJobFiles, leadership: Leadership, interval: Duration,
        batch: Int = 200, clock: C, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.files = files
        self.leadership = leadership
        self.interval = interval
        self.batch = batch
        self.clock = clock
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        await runPeriodically(
            every: interval, clock: clock, wakeUp: leadership.changes, waitFirst: true, logger: logger,
            failure: "deleting expired jobs failed"
        ) {
            guard leadership.current != nil else { return .wait }
            let report = try await pass(now: now())
            // A full batch means more are due: go on at once rather than an interval later.
            return report.jobs + report.kept >= batch && report.jobs > 0 ? .again : .wait
        }
    }

    /// One batch: every expired job found is deleted, files first.
    public func pass(now: Date) async throws -> RetentionReport {
        var report = RetentionReport()
        for job in try await store.expiredJobs(now: now, limit: batch) {
            let readers: Int
            if case .upload(let upload) = job.spec.input {
                readers = try await store.jobsReading(upload: upload, other: job.id)
            } else {
                readers = 0
            }
            do {
                try await expire(job, Retention.actions(for: job, now: now, otherReadersOfUpload: readers), &report)
            } catch {
                report.kept += 1
                logger.warning(
                    "an expired job's files could not be deleted; trying again next pass",
                    metadata: ["job": "\(job.id)", "error": "\(error)"])
            }
        }
        if report.jobs > 0 {
            Counter(label: "spool_jobs_expired_total").increment(by: report.jobs)
            logger.info(
                "deleted expired jobs",
                metadata: ["jobs": "\(report.jobs)", "objects": "\(report.objects)", "uploads": "\(report.uploads)"])
        }
        return report
    }

    private func expire(_ job: Job, _ actions: [Retention.Action], _ report: inout RetentionReport) async throws {
        for action in actions {
            switch action {
            case .deleteOutputs(let id):
                report.objects += try await files.deleteOutputs(of: id)
            case .deleteUpload(let upload, let tenant):
                try await files.deleteUpload(upload, tenant: tenant)
                report.uploads += 1
            case .deleteResultEntry(let key, let tenant, let id):
                try await files.deleteResultEntry(key, tenant: tenant, ifNaming: id)
            case .deleteRecord(let id):
                if try await store.deleteExpired(id, now: now()) {
                    report.jobs += 1
                } else {
                    report.kept += 1
                }
            }
        }
    }
}
