/// The body of a 503 from `GET /ready`: what is not ready, by check.
public struct ReadinessView: Codable, Sendable, Equatable {
    public var status: String
    public var failures: [String: String]
    /// What is wrong elsewhere but does not stop this process serving (a worker that cannot read this gateway's
    /// input roots): a gateway taken out of its balancer for it would only make things worse.
    public var warnings: [String: String]?

    public init(status: String, failures: [String: String], warnings: [String: String]? = nil) {
        self.status = status
        self.failures = failures
        self.warnings = warnings
    }
}
