import Foundation
import SpoolAPIModels
import SpoolCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Why a call to a Spool server failed, in words for the person at the terminal.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// The server answered with a problem document.
    case problem(ProblemDetails)
    /// No server answered.
    case unreachable(server: String, reason: String)
    /// The server answered something that is not Spool's API.
    case unexpected(status: Int, body: String)

    public var description: String {
        switch self {
        case .problem(let problem):
            let field = problem.field.map { " (\($0))" } ?? ""
            return "\(problem.title)\(field): \(problem.detail)"
        case .unreachable(let server, let reason):
            return
                "cannot reach a Spool server at \(server): \(reason). Start one with `spool serve`, or pass --server URL"
        case .unexpected(let status, let body):
            return "the server answered HTTP \(status): \(body.prefix(200))"
        }
    }
}

/// A small client for Spool's HTTP API, used by the CLI, the benchmark and the integration tests.
public struct SpoolClient: Sendable {
    public var server: URL
    /// Sent as `Authorization: Bearer KEY`: a tenant's key, or the admin key for the admin API.
    public var apiKey: String?
    let session: URLSession

    public init(server: URL, apiKey: String? = nil, timeout: TimeInterval = 60) {
        self.server = server
        self.apiKey = apiKey
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = 24 * 3600
        self.session = URLSession(configuration: configuration)
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public func submit(_ request: JobRequest) async throws -> JobView {
        try await send("POST", "/v1/jobs", body: try JSONEncoder().encode(request))
    }

    /// Streams a local file to `POST /v1/uploads` without loading it into memory.
    public func upload(file: URL) async throws -> UploadView {
        var request = authorized(URLRequest(url: url("/v1/uploads")))
        request.httpMethod = "POST"
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await perform { try await session.upload(for: request, fromFile: file) }
        return try decode(data, response)
    }

    public func job(_ id: JobID) async throws -> JobView {
        try await send("GET", "/v1/jobs/\(id.rawValue)")
    }

    /// The scheduler's latest decision for a job: candidates, refusals, scores, the winner or why it waits.
    public func placement(_ id: JobID) async throws -> PlacementExplanation {
        try await send("GET", "/v1/jobs/\(id.rawValue)/placement")
    }

    public func jobs(state: JobState? = nil, limit: Int = 50, cursor: String? = nil) async throws -> JobListView {
        var query: [String] = ["limit=\(limit)"]
        if let state { query.append("state=\(state.rawValue)") }
        if let cursor { query.append("cursor=\(cursor)") }
        return try await send("GET", "/v1/jobs?" + query.joined(separator: "&"))
    }

    public func cancel(_ id: JobID) async throws -> JobView {
        try await send("DELETE", "/v1/jobs/\(id.rawValue)")
    }

    /// Sends a failed or cancelled job back to the queue with a fresh retry budget.
    public func retry(_ id: JobID) async throws -> JobView {
        try await send("POST", "/v1/jobs/\(id.rawValue)/retry")
    }

    /// Jobs that failed after using up their attempts on failures that may pass.
    public func deadLetters(limit: Int = 50) async throws -> JobListView {
        try await send("GET", "/v1/dead-letters?limit=\(limit)")
    }

    public func workers() async throws -> [WorkerRecord] {
        let list: WorkerList = try await send("GET", "/v1/workers")
        return list.workers
    }

    public func pools() async throws -> [PoolView] {
        let list: PoolList = try await send("GET", "/v1/pools")
        return list.pools
    }

    public func presets() async throws -> [Preset] {
        let list: PresetList = try await send("GET", "/v1/presets")
        return list.presets
    }

    /// Raw GET, for endpoints without a typed wrapper (downloads, health); `headers` such as `Range`.
    public func get(_ path: String, headers extra: [String: String] = [:]) async throws -> (
        status: Int, body: Data, headers: [String: String]
    ) {
        var request = authorized(URLRequest(url: url(path)))
        request.httpMethod = "GET"
        for (name, value) in extra { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await perform { try await session.data(for: request) }
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] {
            headers[String(describing: key).lowercased()] = String(describing: value)
        }
        return (http?.statusCode ?? 0, data, headers)
    }

    func url(_ path: String) -> URL {
        URL(string: server.absoluteString.trimmingSuffix("/") + path)!
    }

    func authorized(_ request: URLRequest) -> URLRequest {
        guard let apiKey else { return request }
        var request = request
        request.setValue("Bearer " + apiKey, forHTTPHeaderField: "Authorization")
        return request
    }

    func send<T: Decodable>(_ method: String, _ path: String, body: Data? = nil) async throws -> T {
        var request = authorized(URLRequest(url: url(path)))
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await perform { try await session.data(for: request) }
        return try decode(data, response)
    }

    func perform(_ call: () async throws -> (Data, URLResponse)) async throws -> (Data, URLResponse) {
        do {
            return try await call()
        } catch {
            throw ClientError.unreachable(server: server.absoluteString, reason: error.localizedDescription)
        }
    }

    func decode<T: Decodable>(_ data: Data, _ response: URLResponse) throws -> T {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            if let problem = try? Self.decoder.decode(ProblemDetails.self, from: data) {
                throw ClientError.problem(problem)
            }
            throw ClientError.unexpected(status: status, body: String(decoding: data, as: UTF8.self))
        }
        if data.isEmpty, let empty = Empty() as? T { return empty }
        do {
            return try Self.decoder.decode(T.self, from: data)
        } catch {
            throw ClientError.unexpected(status: status, body: String(decoding: data, as: UTF8.self))
        }
    }
}

struct WorkerList: Decodable { var workers: [WorkerRecord] }
struct PoolList: Decodable { var pools: [PoolView] }
struct PresetList: Decodable { var presets: [Preset] }

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
