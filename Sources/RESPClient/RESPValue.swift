import NIOCore

/// One reply from a Redis server, in RESP2 or RESP3.
///
/// RESP2 has only the first five shapes; RESP3 (after `HELLO 3`) adds the rest. A RESP2 null bulk string (`$-1`)
/// decodes as `.bulkString(nil)` and a RESP2 null array (`*-1`) as `.array(nil)`, so a caller can still tell the wire
/// forms apart; `isNull` treats all three nulls alike.
public enum RESPValue: Sendable, Hashable {
    case simpleString(String)
    /// An error reply (`-ERR …` or a RESP3 blob error). `RedisClient` throws these as `RedisError.reply` unless raw
    /// replies were requested.
    case error(String)
    case integer(Int64)
    case bulkString(ByteBuffer?)
    case array([RESPValue]?)
    case null
    case double(Double)
    case boolean(Bool)
    /// Key-value pairs in the order the server sent them (Redis may repeat keys in some replies).
    case map([Pair])
    case set([RESPValue])
    /// Out-of-band data (invalidation, pub/sub). Never matched to a command.
    case push([RESPValue])
    /// The decimal digits of an arbitrary-precision integer, with an optional leading `-`.
    case bigNumber(String)
    case verbatimString(format: String, text: String)

    public struct Pair: Sendable, Hashable {
        public var key: RESPValue
        public var value: RESPValue

        public init(key: RESPValue, value: RESPValue) {
            self.key = key
            self.value = value
        }
    }
}

extension RESPValue {
    /// Text of a simple, bulk or verbatim string; the digits of an integer or big number; `nil` otherwise.
    /// Invalid UTF-8 is repaired with U+FFFD, so use `bytes` for binary data.
    public var string: String? {
        switch self {
        case .simpleString(let text), .bigNumber(let text): return text
        case .bulkString(let buffer?): return String(buffer: buffer)
        case .verbatimString(_, let text): return text
        case .integer(let value): return String(value)
        case .double(let value): return String(value)
        default: return nil
        }
    }

    /// Raw bytes of a string reply; `nil` for nulls and non-string replies.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let buffer?): return Array(buffer.readableBytesView)
        case .simpleString(let text), .bigNumber(let text): return Array(text.utf8)
        case .verbatimString(_, let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// Runs `body` on the bytes of a string reply where they lie, without copying them into a string or an array;
    /// `nil` for nulls and non-string replies. For replies read in bulk, such as a stream's entries.
    public func withUnsafeStringBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T? {
        switch self {
        case .bulkString(let buffer?): return try buffer.withUnsafeReadableBytes(body)
        case .simpleString(var text), .bigNumber(var text), .verbatimString(_, var text):
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        default: return nil
        }
    }

    /// An integer reply, or a string reply that holds a decimal integer (RESP2 sends many numbers as bulk strings).
    public var int: Int? {
        switch self {
        case .integer(let value): return Int(exactly: value)
        case .double(let value): return Int(exactly: value)
        case .bulkString, .simpleString, .bigNumber: return self.string.flatMap { Int($0) }
        default: return nil
        }
    }

    /// A RESP3 double, or any reply `int` or `string` can read as a number (`INCRBYFLOAT` answers a bulk string).
    public var double: Double? {
        switch self {
        case .double(let value): return value
        case .integer(let value): return Double(value)
        case .bulkString, .simpleString, .bigNumber: return self.string.flatMap { Double($0) }
        default: return nil
        }
    }

    /// A RESP3 boolean, or the RESP2 convention of integer 1/0 (`EXPIRE`, `SISMEMBER`, …).
    public var bool: Bool? {
        switch self {
        case .boolean(let value): return value
        case .integer(1): return true
        case .integer(0): return false
        default: return nil
        }
    }

    /// Elements of an array, set or push reply; `nil` for a null array and for other shapes.
    public var array: [RESPValue]? {
        switch self {
        case .array(let elements?), .set(let elements), .push(let elements): return elements
        default: return nil
        }
    }

    /// Pairs of a RESP3 map, or of a RESP2 flat array of alternating keys and values (`HGETALL`, `CONFIG GET`).
    public var pairs: [Pair]? {
        switch self {
        case .map(let pairs): return pairs
        case .array(let elements?) where elements.count % 2 == 0:
            return stride(from: 0, to: elements.count, by: 2).map { Pair(key: elements[$0], value: elements[$0 + 1]) }
        default: return nil
        }
    }

    /// `pairs` with string keys; later duplicates win. `nil` if any key is not a string.
    public var dictionary: [String: RESPValue]? {
        guard let pairs else { return nil }
        var result: [String: RESPValue] = [:]
        for pair in pairs {
            guard let key = pair.key.string else { return nil }
            result[key] = pair.value
        }
        return result
    }

    /// True for RESP3 null, the RESP2 null bulk string and the RESP2 null array.
    public var isNull: Bool {
        switch self {
        case .null, .bulkString(nil), .array(nil): return true
        default: return false
        }
    }

    /// The message of an error reply, e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}

extension RESPValue: CustomStringConvertible {
    /// Close to `redis-cli` output, for logs and test failures; binary bulk strings are shown as hex.
    public var description: String {
        switch self {
        case .simpleString(let text): return text
        case .error(let message): return "(error) \(message)"
        case .integer(let value): return "(integer) \(value)"
        case .bulkString(nil), .array(nil), .null: return "(nil)"
        case .bulkString(let buffer?):
            let bytes = buffer.readableBytesView
            if let text = String(validating: bytes, as: UTF8.self) { return "\"\(text)\"" }
            return "0x" + bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        case .array(let elements?): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .double(let value): return "(double) \(value)"
        case .boolean(let value): return value ? "(true)" : "(false)"
        case .map(let pairs): return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .set(let elements): return "~[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .push(let elements): return ">[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .bigNumber(let digits): return "(big number) \(digits)"
        case .verbatimString(let format, let text): return "\(format):\(text)"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension RESPValue {
    /// A bulk string reply holding `text`; handy for building expected values in tests.
    public static func bulkString(_ text: String) -> RESPValue {
        .bulkString(ByteBuffer(string: text))
    }
}
