import Dispatch
import HTTPTypes
import NIOCore
import SpoolCore

/// `GET /v1/jobs/{id}` answered on the event loop when everything it needs is in memory: the caller is known without
/// the store, the job cache holds a fresh answer the caller may see, and the rate limiter's local batches cover the
/// request. The answer, its headers and its metrics are the router's own; anything else (a miss, a refusal, a key to
/// look up) goes to the router, which decides as always.
struct CachedJobAnswers: EventLoopAnswering {
    /// The route's name in the request metrics, as the router names it.
    static let route = "/v1/jobs/{id}"
    static let pathPrefix = "/v1/jobs/"

    let access: AccessMiddleware
    let jobCache: JobReadCache
    let metrics: RequestMetricHandles

    func answer(_ request: HTTPRequest, clientAddress: String) -> ReadyAnswer? {
        guard request.method == .get, let path = request.path, let id = Self.jobID(inPath: path),
            let caller = access.callerWithoutWaiting(request.headerFields),
            let body = jobCache.cachedBody(for: id, caller: caller),
            // Last: it counts the request, and nothing may send it to the router after that.
            let decisions = access.meterWithoutWaiting(caller, clientAddress: clientAddress)
        else { return nil }
        let started = DispatchTime.now().uptimeNanoseconds
        let active = metrics.active(.get)
        active.increment()
        var fields: HTTPFields = [.contentType: "application/json", .contentLength: String(body.readableBytes)]
        AccessMiddleware.addRateHeaders(decisions, to: &fields)
        metrics.recordAnswer(Self.route, .get, .ok, startedAt: started, active: active)
        return ReadyAnswer(head: HTTPResponse(status: .ok, headerFields: fields), body: body)
    }

    /// The job ID of a plain `/v1/jobs/{id}` path; nil for anything else (a query, an escape, a longer path), which
    /// the router then reads.
    static func jobID(inPath path: String) -> JobID? {
        guard path.hasPrefix(pathPrefix) else { return nil }
        let id = path.utf8.dropFirst(pathPrefix.utf8.count)
        guard !id.isEmpty, id.count <= 64,
            id.allSatisfy({ byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            })
        else { return nil }
        return JobID(rawValue: String(Substring(id)))
    }
}
