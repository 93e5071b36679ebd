/// The body of a 503 from `GET /ready`: what is not ready, by check.
public struct ReadinessView: Codable, Sendable, Equatable {
    public var status: String
    public var failures: [String: String]

    public init(status: String, failures: [String: String]) {
        self.status = status
        self.failures = failures
    }
}
