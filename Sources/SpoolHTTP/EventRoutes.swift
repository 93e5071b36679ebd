import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore

extension SpoolAPI {
    /// Server-sent events for one job: `state` when the state changes, `progress` when progress moves, and the
    /// stream ends after a final state. It watches the store, so it works the same on any gateway of a cluster.
    func addEventRoutes(to router: Router<SpoolRequestContext>) {
        router.get("/v1/jobs/{id}/events") { _, context -> Response in
            let first = try await requireJob(context)
            let store = self.store
            let interval = configuration.eventPollInterval
            let layout = configuration.layout
            let body = ResponseBody { writer in
                var job = first
                var lastState: JobState?
                var lastProgress: TranscodeProgress?
                var sinceLastWrite = Duration.zero
                while true {
                    if job.state != lastState {
                        try await writer.write(Self.event("state", JobView(job, layout: layout)))
                        lastState = job.state
                        lastProgress = job.progress
                        sinceLastWrite = .zero
                    } else if job.progress != lastProgress, let progress = job.progress {
                        try await writer.write(Self.event("progress", progress))
                        lastProgress = progress
                        sinceLastWrite = .zero
                    } else if sinceLastWrite >= .seconds(15) {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        sinceLastWrite = .zero
                    }
                    if job.state.isTerminal { break }
                    try await Task.sleep(for: interval)
                    sinceLastWrite += interval
                    guard let next = try await store.job(job.id) else { break }
                    job = next
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: body)
        }
    }

    static func event(_ name: String, _ value: some Encodable) throws -> ByteBuffer {
        let data = try JSONCoding.encoder.encode(value)
        return ByteBuffer(string: "event: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n")
    }
}
