import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore

/// Builds RFC 9457 problem responses. Every error the API returns goes through here.
enum Problem {
    static func badRequest(_ error: SpecError) -> ProblemError {
        ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/\(error.rule)", title: "The request breaks a rule", status: 400,
                detail: error.message, field: error.field, rule: error.rule))
    }

    static func notFound(_ detail: String) -> ProblemError {
        ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/not-found", title: "Not found", status: 404, detail: detail))
    }

    static func conflict(_ detail: String, rule: String) -> ProblemError {
        ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/\(rule)", title: "Conflict", status: 409, detail: detail, rule: rule))
    }

    /// The request is well formed but cannot be honoured as sent (an idempotency key reused for another body).
    static func unprocessable(_ detail: String, field: String, rule: String) -> ProblemError {
        ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/\(rule)", title: "Unprocessable request", status: 422,
                detail: detail, field: field, rule: rule))
    }

    static func tooLarge(_ detail: String) -> ProblemError {
        ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/too-large", title: "Payload too large", status: 413, detail: detail,
                rule: "max_size"))
    }

    static func unavailable(_ detail: String) -> ProblemError {
        ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/unavailable", title: "Service unavailable", status: 503,
                detail: detail),
            retryAfterSeconds: 1)
    }

    static func unauthorized(_ detail: String) -> ProblemError {
        var error = ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/unauthorized", title: "Unauthorized", status: 401, detail: detail,
                rule: "api_key"))
        error.headers[.wwwAuthenticate] = #"Bearer realm="spool""#
        return error
    }

    static func forbidden(_ detail: String, rule: String) -> ProblemError {
        ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/\(rule)", title: "Forbidden", status: 403, detail: detail, rule: rule)
        )
    }

    /// A quota: 429 when waiting makes room (queued jobs, the day's GPU budget), 403 when it does not.
    static func quota(_ violation: QuotaViolation, retryAfterSeconds: Int) -> ProblemError {
        ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/quota", title: "Quota exceeded", status: violation.hard ? 403 : 429,
                detail: violation.description, field: violation.quota, rule: "quota"),
            retryAfterSeconds: violation.hard ? nil : retryAfterSeconds)
    }

    static func rateLimited(_ decision: RateDecision, scope: String) -> ProblemError {
        var error = ProblemError(
            ProblemDetails(
                type: "https://spool.dev/problems/rate-limited", title: "Too many requests", status: 429,
                detail:
                    "more than \(decision.limit) requests in a burst for this \(scope); retry after "
                    + "\(decision.retryAfterSeconds) s",
                rule: "rate_limit"),
            retryAfterSeconds: decision.retryAfterSeconds)
        error.headers = decision.headers
        return error
    }

    static func from(http error: HTTPError) -> ProblemError {
        let status = Int(error.status.code)
        return ProblemError(
            ProblemDetails(
                type: "about:blank", title: error.status.reasonPhrase, status: status,
                detail: error.body ?? error.status.reasonPhrase))
    }
}

/// A problem as a thrown error that Hummingbird turns into a response.
struct ProblemError: HTTPResponseError {
    var details: ProblemDetails
    var retryAfterSeconds: Int?
    /// Headers beside the problem's own (WWW-Authenticate, RateLimit).
    var headers: HTTPFields = [:]

    init(_ details: ProblemDetails, retryAfterSeconds: Int? = nil) {
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    var status: HTTPResponse.Status { HTTPResponse.Status(code: details.status) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        let data = try JSONCoding.encoder.encode(details)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error that is not already a problem (unknown routes, store outages, bugs) into problem+json.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as ProblemError {
            throw error
        } catch let error as HTTPError {
            throw Problem.from(http: error)
        } catch let error as StoreError {
            switch error {
            case .jobNotFound(let id): throw Problem.notFound("no job \(id)")
            case .unavailable(let reason): throw Problem.unavailable("the job store is unavailable: \(reason)")
            case .lifecycle(let lifecycle): throw Problem.conflict(lifecycle.description, rule: "lifecycle")
            case .invalidCursor:
                throw Problem.badRequest(SpecError(field: "cursor", rule: "cursor", message: error.description))
            case .quotaExceeded(let violation):
                throw Problem.quota(violation, retryAfterSeconds: SpoolAPI.quotaRetryAfterSeconds)
            case .corrupt(let reason):
                context.logger.error("store corrupt", metadata: ["reason": .string(reason)])
                throw internalError()
            }
        } catch {
            context.logger.error("request failed", metadata: ["error": .string(String(describing: error))])
            throw internalError()
        }
    }

    private func internalError() -> ProblemError {
        ProblemError(
            ProblemDetails(
                type: "about:blank", title: "Internal error", status: 500,
                detail: "the server failed; the error is in its log"))
    }
}
