/// Bytes from the server that are not valid RESP. The connection cannot be resynchronised after one, so it is closed.
public enum RESPDecodingError: Error, Sendable, Hashable {
    case unknownType(UInt8)
    case invalidLength(String)
    case invalidInteger(String)
    case invalidDouble(String)
    case invalidBoolean(String)
    case invalidNull(String)
    case invalidBigNumber(String)
    case invalidVerbatimString
    /// A line or bulk payload was not terminated by `\r\n`.
    case missingCRLF
    case lineTooLong(limit: Int)
    case bulkTooLong(length: Int, limit: Int)
    case tooManyElements(count: Int, limit: Int)
    case nestingTooDeep(limit: Int)
    /// Valid RESP3 that Redis never sends to clients (streamed strings and aggregates).
    case unsupported(String)
}

extension RESPDecodingError: CustomStringConvertible {
    public var description: String {
        let problem: String
        switch self {
        case .unknownType(let byte):
            let shown =
                (32..<127).contains(byte) ? "'\(Character(UnicodeScalar(byte)))'" : "0x\(String(byte, radix: 16))"
            problem = "unknown type byte \(shown)"
        case .invalidLength(let text): problem = "invalid length \"\(text)\""
        case .invalidInteger(let text): problem = "invalid integer \"\(text)\""
        case .invalidDouble(let text): problem = "invalid double \"\(text)\""
        case .invalidBoolean(let text): problem = "invalid boolean \"\(text)\""
        case .invalidNull(let text): problem = "invalid null \"\(text)\""
        case .invalidBigNumber(let text): problem = "invalid big number \"\(text)\""
        case .invalidVerbatimString: problem = "verbatim string without a 3-letter format and ':'"
        case .missingCRLF: problem = "missing \\r\\n terminator"
        case .lineTooLong(let limit): problem = "line longer than \(limit) bytes without \\r\\n"
        case .bulkTooLong(let length, let limit):
            problem = "bulk string of \(length) bytes exceeds the \(limit)-byte limit"
        case .tooManyElements(let count, let limit):
            problem = "aggregate of \(count) elements exceeds the \(limit) limit"
        case .nestingTooDeep(let limit): problem = "aggregates nested deeper than \(limit)"
        case .unsupported(let what): problem = "\(what) are not supported"
        }
        return "malformed RESP reply: \(problem) — is something other than Redis listening on that port, "
            + "or is a proxy or TLS terminator in the way?"
    }
}
