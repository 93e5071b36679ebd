/// A request that breaks a rule. `field` is a JSON pointer-ish path (`outputs[1].video.height`), `rule` a stable
/// machine-readable name, `message` what to change.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var rule: String
    public var message: String

    public init(field: String, rule: String, message: String) {
        self.field = field
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(field): \(message) [\(rule)]" }
}
