import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import SpoolAPIModels
import SpoolCore
import SpoolStorage
import SpoolTraceContext
import Tracing

extension SpoolAPI {
    /// Whether a replayed submission asked for what the first one did. The retention window is not compared: it is
    /// filled in from the tenant's and server's settings, which may have changed between the two.
    static func sameRequest(_ first: JobSpec, _ again: JobSpec) -> Bool {
        var again = again
        again.retention = first.retention
        // A retry is traced afresh; the job keeps the trace it was first submitted under.
        again.traceParent = first.traceParent
        return first == again
    }

    /// Retry-After of a submission refused by a quota that waiting lifts (queued jobs starting).
    static let quotaRetryAfterSeconds = 5

    func addJobRoutes(to router: Router<SpoolRequestContext>) {
        let submitted = Counter(label: "spool_jobs_submitted_total")

        router.post("/v1/jobs") { request, context -> Response in
            try await Self.tracingSubmission(request) { span in
                var body = try await JSONCoding.decode(
                    JobRequest.self, from: request, limit: configuration.maxJSONBytes)
                if body.idempotencyKey == nil, let header = request.headers[HTTPField.Name("Idempotency-Key")!] {
                    body.idempotencyKey = header
                }
                let owner = context.caller.owner
                var spec: JobSpec
                do throws(SpecError) {
                    spec = try body.validate(
                        policy: configuration.inputPolicy(for: owner), tenant: owner,
                        retention: configuration.retention.overridden(days: context.caller.limits?.retainDays))
                    if case .upload = spec.input, configuration.uploadsAreRemote {
                        // Checked in the storage below.
                    } else {
                        try configuration.inputAccess(for: owner).verify(spec.input, tenant: owner)
                    }
                    if let callback = spec.callbackURL { try configuration.checkCallback(callback) }
                } catch {
                    throw Problem.badRequest(error)
                }
                if case .upload(let id) = spec.input, configuration.uploadsAreRemote {
                    let key = ObjectKey(
                        checked: configuration.layout.key(of: configuration.layout.upload(id, tenant: owner)))
                    let objects = configuration.objects
                    guard try await storage.perform("look up an upload", { try await objects.head(key) }) != nil else {
                        throw Problem.badRequest(
                            SpecError(
                                field: "input", rule: "upload_missing",
                                message: "no finished upload \(id); POST the file to /v1/uploads first"))
                    }
                }
                if let pool = spec.pool, try await !knownPools().contains(pool) {
                    let known = try await knownPools().sorted().joined(separator: ", ")
                    throw Problem.badRequest(
                        SpecError(
                            field: "pool", rule: "unknown_pool",
                            message:
                                "no pool named \(pool); known: \(known.isEmpty ? "none yet" : known) (`spool pools`)"))
                }
                let limits = context.caller.limits
                // The day's GPU budget is spent by finished work, not by this request, so reading it first is exact
                // enough; the queued-jobs quota is a count that concurrent submissions change, so the store checks it
                // in the same write that creates the job.
                if let limits, limits.gpuSecondsPerDay != nil {
                    let usage = try await store.usage(tenant: owner, day: TenantUsage.day(of: Date()))
                    if let violation = QuotaCheck.submission(limits: limits, usage: usage) {
                        throw Problem.quota(violation, retryAfterSeconds: Self.quotaRetryAfterSeconds)
                    }
                }
                let job: Job
                let created: Bool
                // Kept with the job, so placement and the workers' spans join this trace in their own processes.
                spec.traceParent = TraceParent.header(of: span.context)
                span.attributes[SpoolSpanAttribute.tenant] = owner.rawValue
                do {
                    (job, created) = try await withSpan("store.submit") { write in
                        let result = try await store.submit(spec, maxQueued: limits?.maxQueued, now: Date())
                        write.attributes[SpoolSpanAttribute.job] = result.job.id.rawValue
                        write.attributes["spool.job.created"] = result.created
                        return result
                    }
                } catch StoreError.quotaExceeded(let violation) {
                    throw Problem.quota(violation, retryAfterSeconds: Self.quotaRetryAfterSeconds)
                }
                if !created, !Self.sameRequest(job.spec, spec) {
                    throw Problem.unprocessable(
                        "idempotency key \"\(spec.idempotencyKey ?? "")\" already named job \(job.id.rawValue), "
                            + "submitted with another body; a retry must send the same body, and a new job needs a "
                            + "new key",
                        field: "idempotency_key", rule: "idempotency_key_reused")
                }
                span.attributes[SpoolSpanAttribute.job] = job.id.rawValue
                span.attributes["spool.job.created"] = created
                if !created, let first = job.spec.traceParent {
                    // A replay answers with the job its first submission made, traced there: point to it.
                    span.addLink(SpanLink(context: TraceParent.context(traceParent: first), attributes: [:]))
                }
                if created {
                    submitted.increment()
                    workSignal?.notify()
                }
                var headers: HTTPFields = [.location: "/v1/jobs/\(job.id.rawValue)"]
                if !created { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
                return try JSONCoding.response(view(job), status: .accepted, headers: headers)
            }
        }

        router.get("/v1/jobs") { request, context -> Response in
            let query = try JobListQuery(request.uri.queryParameters, caller: context.caller)
            let page = try await store.list(query.filter)
            return try JSONCoding.response(
                JobListView(jobs: query.shown(page.jobs).map(view), nextCursor: page.nextCursor))
        }

        router.get("/v1/jobs/{id}") { _, context -> Response in
            let id = JobID(rawValue: try context.parameters.require("id"))
            let answer = try await jobCache.response(for: id, caller: context.caller) {
                guard let job = try await store.job(id) else { return nil }
                return (try await detailedView(job), job.spec.tenant)
            }
            // Another tenant's job is as missing as a job that never existed (`requireJob`).
            guard let answer else { throw Problem.notFound("no job \(id)") }
            return answer
        }

        router.get("/v1/jobs/{id}/placement") { _, context -> Response in
            let job = try await requireJob(context)
            guard let explanation = try await store.placementExplanation(for: job.id) else {
                throw Problem.notFound(
                    "no placement decision recorded for job \(job.id) yet (state \(job.state.rawValue)); the scheduler "
                        + "explains each job on its first cycle, so look again in a moment")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: explanation)))
        }

        router.delete("/v1/jobs/{id}") { _, context -> Response in
            let job = try await requireJob(context)
            do {
                let transition = try await store.apply(.cancel, to: job.id, now: Date())
                jobCache.invalidate(job.id)
                await forEachTask(of: job) { task in
                    if !task.state.isTerminal { _ = try? await store.apply(.cancel, to: task.id, now: Date()) }
                }
                return try JSONCoding.response(view(transition.job), status: .accepted)
            } catch StoreError.lifecycle(.invalidTransition(let from, _)) {
                throw Problem.conflict(
                    "job \(job.id) already \(from.rawValue); only queued or running jobs can be cancelled",
                    rule: "already_finished")
            }
        }

        router.post("/v1/jobs/{id}/retry") { _, context -> Response in
            let job = try await requireJob(context)
            do {
                let transition = try await store.apply(.retry, to: job.id, now: Date())
                jobCache.invalidate(job.id)
                // Its failed or cancelled tasks run again; finished ones are kept.
                await forEachTask(of: job) { task in
                    if task.state == .failed || task.state == .cancelled {
                        _ = try? await store.apply(.retry, to: task.id, now: Date())
                    }
                }
                workSignal?.notify()
                return try JSONCoding.response(view(transition.job), status: .accepted)
            } catch StoreError.lifecycle(.invalidTransition(let from, _)) {
                throw Problem.conflict(
                    "job \(job.id) is \(from.rawValue); only failed or cancelled jobs can be retried",
                    rule: "not_finished")
            }
        }

        // Poison jobs: failed after using up their attempts on failures that may pass, with the last error.
        router.get("/v1/dead-letters") { request, context -> Response in
            let limit = try PageQuery.limit(request.uri.queryParameters, range: 1...500, default: 50)
            var cursor = try PageQuery.cursor(request.uri.queryParameters)
            var found: [JobView] = []
            var next: String?
            repeat {
                let page = try await store.list(
                    JobFilter(tenant: context.caller.scope, state: .failed, limit: 200, cursor: cursor))
                for job in page.jobs where job.isDeadLettered && found.count < limit { found.append(view(job)) }
                cursor = page.nextCursor
                next = found.count >= limit ? page.nextCursor : nil
            } while cursor != nil && found.count < limit
            return try JSONCoding.response(JobListView(jobs: found, nextCursor: next))
        }

        router.get("/v1/presets") { _, _ -> Response in
            try JSONCoding.response(["presets": Presets.all])
        }
    }

    /// A job as `GET /v1/jobs/{id}` shows it: a segmented job with each task's state and its tasks' progress.
    func detailedView(_ job: Job) async throws -> JobView {
        var shown = view(job)
        guard job.segmentation?.isSplit == true else { return shown }
        var tasks: [JobID: Job] = [:]
        await forEachTask(of: job) { tasks[$0.id] = $0 }
        shown.show(tasks: tasks, of: job)
        return shown
    }

    /// Reads each task of a segmented job (none for any other job); a task that cannot be read is skipped.
    func forEachTask(of job: Job, _ body: (Job) async -> Void) async {
        for record in job.segmentation?.tasks ?? [] {
            if let task = try? await store.job(record.job) { await body(task) }
        }
    }
}
