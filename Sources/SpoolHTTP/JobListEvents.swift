import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore

extension SpoolAPI {
    /// The live job list (server-sent events): `snapshot` with the newest jobs that match the filters, then `job`
    /// each time one of them appears or changes. It reads the store, so every gateway of a cluster serves it alike.
    /// A stream ends after `jobListStreamLifetime` or when the gateway drains; `retry` tells the browser to reconnect
    /// (to this gateway or, behind a balancer, another) and the next snapshot resynchronises it.
    func addJobListEventRoutes(to router: Router<SpoolRequestContext>) {
        router.get("/v1/jobs/events") { request, context -> Response in
            let query = try JobListQuery(request.uri.queryParameters, caller: context.caller, defaultLimit: 100)
            let interval = configuration.jobListPollInterval
            let lifetime = configuration.jobListStreamLifetime
            let drain = configuration.drain
            let body = ResponseBody { writer in
                var changes = JobListChanges()
                var sinceLastWrite = Duration.zero
                let started = ContinuousClock.now
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                // The lifetime is checked after a read, never before the first: every stream sends its snapshot,
                // however long the first write waited (a stream that ended with none would leave its page empty).
                repeat {
                    let page = try await store.list(query.filter)
                    var views: [JobView] = []
                    for job in query.shown(page.jobs) {
                        // A split job's progress is its tasks'; read them only while it runs.
                        views.append(job.state == .running ? try await detailedView(job) : view(job))
                    }
                    switch changes.update(views) {
                    case .snapshot(let all):
                        try await writer.write(Self.event("snapshot", JobListView(jobs: all, nextCursor: nil)))
                        sinceLastWrite = .zero
                    case .changed(let changed) where !changed.isEmpty:
                        for job in changed { try await writer.write(Self.event("job", job)) }
                        sinceLastWrite = .zero
                    case .changed:
                        if sinceLastWrite >= .seconds(15) {
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            sinceLastWrite = .zero
                        }
                    }
                    try await Task.sleep(for: interval)
                    sinceLastWrite += interval
                } while ContinuousClock.now - started < lifetime && drain?.isDraining != true
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: body)
        }
    }
}

/// The pure half of the live job list: which of the jobs read now differ from what the stream last sent. It keeps
/// only the last read, so its memory is bounded by the list's limit.
struct JobListChanges: Sendable {
    enum Update: Equatable {
        /// The first read: every job, newest first.
        case snapshot([JobView])
        /// Jobs that appeared or changed since the last read, in the order read.
        case changed([JobView])
    }

    private var sent: [JobID: JobView]?

    mutating func update(_ views: [JobView]) -> Update {
        let previous = sent
        sent = Dictionary(views.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard let previous else { return .snapshot(views) }
        return .changed(views.filter { previous[$0.id] != $0 })
    }
}
