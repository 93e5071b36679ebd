import Foundation

/// RFC 9457 problem details, as every API error is returned.
public struct ProblemDetails: Codable, Sendable, Equatable, Error {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// The request field that broke a rule, when one did.
    public var field: String?
    /// The rule's stable name.
    public var rule: String?

    public init(type: String, title: String, status: Int, detail: String, field: String? = nil, rule: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.field = field
        self.rule = rule
    }
}
