/// Who holds a reservation. In Spool this is a job id; the ledger only needs it to be unique per GPU.
public struct LedgerOwner: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    public static func < (lhs: LedgerOwner, rhs: LedgerOwner) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
