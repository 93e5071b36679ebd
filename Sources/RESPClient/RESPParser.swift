import NIOCore

/// Incremental RESP2/RESP3 parser.
///
/// It consumes complete scalar tokens from the buffer as they arrive and keeps partly built aggregates on a stack, so
/// a large reply that arrives in many reads is scanned once instead of being re-parsed from the start on every read.
/// A scalar that is not complete yet is left unconsumed. After it throws, the parser's state is undefined: the stream
/// cannot be resynchronised, so the caller must drop the connection.
public struct RESPParser: Sendable {
    public struct Limits: Sendable, Hashable {
        /// Redis' own `proto-max-bulk-len` default.
        public var maxBulkLength: Int = 512 * 1024 * 1024
        /// Simple strings, errors and numbers are short; a long line without `\r\n` means a desynchronised stream.
        public var maxLineLength: Int = 64 * 1024
        public var maxElements: Int = Int(Int32.max)
        public var maxDepth: Int = 128

        public init() {}
    }

    private enum AggregateKind {
        case array, map, set, push, attribute
    }

    private struct Frame {
        var kind: AggregateKind
        var remaining: Int
        var elements: [RESPValue]
    }

    private enum Token {
        case value(RESPValue)
        case aggregate(AggregateKind, count: Int)
    }

    private let limits: Limits
    private var stack: [Frame] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// True while an aggregate has been started but not finished.
    public var isMidValue: Bool { !stack.isEmpty }

    /// The next complete value, or `nil` if more bytes are needed. Consumes what it has parsed.
    public mutating func next(from buffer: inout ByteBuffer) throws(RESPDecodingError) -> RESPValue? {
        reading: while true {
            guard let token = try readToken(from: &buffer) else { return nil }
            var value: RESPValue
            switch token {
            case .value(let scalar):
                value = scalar
            case .aggregate(let kind, let count):
                if count == 0 {
                    if kind == .attribute { continue reading }
                    value = Self.build(kind, [])
                } else {
                    guard stack.count < limits.maxDepth else { throw .nestingTooDeep(limit: limits.maxDepth) }
                    let elementCount = kind == .map || kind == .attribute ? count * 2 : count
                    // A hostile count must not make us reserve gigabytes up front.
                    var elements: [RESPValue] = []
                    elements.reserveCapacity(min(elementCount, 1024))
                    stack.append(Frame(kind: kind, remaining: elementCount, elements: elements))
                    continue reading
                }
            }
            while let top = stack.indices.last {
                stack[top].elements.append(value)
                stack[top].remaining -= 1
                if stack[top].remaining > 0 { continue reading }
                let frame = stack.removeLast()
                // Attributes annotate the value that follows them and are not elements of the parent; no Redis
                // command needs them, so they are dropped.
                if frame.kind == .attribute { continue reading }
                value = Self.build(frame.kind, frame.elements)
            }
            return value
        }
    }

    /// Parses exactly one value from `bytes`; for tests and tools.
    public static func parse(_ bytes: some Sequence<UInt8>) throws(RESPDecodingError) -> RESPValue? {
        var buffer = ByteBuffer(bytes: bytes)
        var parser = RESPParser()
        return try parser.next(from: &buffer)
    }

    private static func build(_ kind: AggregateKind, _ elements: [RESPValue]) -> RESPValue {
        switch kind {
        case .array: return .array(elements)
        case .set: return .set(elements)
        case .push: return .push(elements)
        case .map, .attribute:
            return .map(
                stride(from: 0, to: elements.count, by: 2).map { .init(key: elements[$0], value: elements[$0 + 1]) })
        }
    }

    private func readToken(from buffer: inout ByteBuffer) throws(RESPDecodingError) -> Token? {
        guard let header = try header(in: buffer) else { return nil }
        let type = header.type
        // The line as bytes only where a token keeps or reports it: a reply of thousands of bulk strings (a stream's
        // entries) allocates nothing per header.
        let source = buffer
        let bytes = { source.getBytes(at: source.readerIndex + 1, length: header.lineLength) ?? [] }
        let text = { String(decoding: bytes(), as: UTF8.self) }
        var token: Token
        var consumed = header.consumed
        switch type {
        case UInt8(ascii: "+"): token = .value(.simpleString(text()))
        case UInt8(ascii: "-"): token = .value(.error(text()))
        case UInt8(ascii: ":"):
            guard let value = header.number else { throw .invalidInteger(text()) }
            token = .value(.integer(value))
        case UInt8(ascii: ","): token = .value(.double(try Self.parseDouble(text())))
        case UInt8(ascii: "#"):
            switch bytes() {
            case [UInt8(ascii: "t")]: token = .value(.boolean(true))
            case [UInt8(ascii: "f")]: token = .value(.boolean(false))
            default: throw .invalidBoolean(text())
            }
        case UInt8(ascii: "_"):
            guard header.lineLength == 0 else { throw .invalidNull(text()) }
            token = .value(.null)
        case UInt8(ascii: "("):
            let line = bytes()
            let digits =
                line.first == UInt8(ascii: "-") || line.first == UInt8(ascii: "+") ? line.dropFirst() : line[...]
            guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                throw .invalidBigNumber(text())
            }
            token = .value(.bigNumber(text()))
        case UInt8(ascii: "*"), UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "|"):
            let kind: AggregateKind =
                switch type {
                case UInt8(ascii: "*"): .array
                case UInt8(ascii: "%"): .map
                case UInt8(ascii: "~"): .set
                case UInt8(ascii: ">"): .push
                default: .attribute
                }
            if header.isStreamed { throw .unsupported("streamed aggregates") }
            guard let count = header.number.flatMap({ Int(exactly: $0) }), count >= -1 else {
                throw .invalidLength(text())
            }
            if count == -1 {
                guard kind == .array else { throw .invalidLength(text()) }
                token = .value(.array(nil))
            } else {
                guard count <= limits.maxElements else {
                    throw .tooManyElements(count: count, limit: limits.maxElements)
                }
                token = .aggregate(kind, count: count)
            }
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            if header.isStreamed { throw .unsupported("streamed strings") }
            guard let length = header.number.flatMap({ Int(exactly: $0) }), length >= -1 else {
                throw .invalidLength(text())
            }
            if length == -1 {
                guard type == UInt8(ascii: "$") else { throw .invalidLength(text()) }
                token = .value(.bulkString(nil))
                break
            }
            guard length <= limits.maxBulkLength else {
                throw .bulkTooLong(length: length, limit: limits.maxBulkLength)
            }
            let payloadStart = buffer.readerIndex + consumed
            guard buffer.readableBytes >= consumed + length + 2 else { return nil }
            guard buffer.getInteger(at: payloadStart + length, as: UInt8.self) == UInt8(ascii: "\r"),
                buffer.getInteger(at: payloadStart + length + 1, as: UInt8.self) == UInt8(ascii: "\n")
            else { throw .missingCRLF }
            // A slice shares storage with the read buffer instead of copying the payload.
            let payload = buffer.getSlice(at: payloadStart, length: length)!
            consumed += length + 2
            switch type {
            case UInt8(ascii: "$"): token = .value(.bulkString(payload))
            case UInt8(ascii: "!"): token = .value(.error(String(buffer: payload)))
            default:
                guard length >= 4, payload.getInteger(at: payload.readerIndex + 3, as: UInt8.self) == UInt8(ascii: ":")
                else { throw .invalidVerbatimString }
                token = .value(
                    .verbatimString(
                        format: payload.getString(at: payload.readerIndex, length: 3)!,
                        text: payload.getString(at: payload.readerIndex + 4, length: length - 4)!
                    )
                )
            }
        default:
            throw .unknownType(type)
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        return token
    }

    /// What a token's first line says: its type byte, the length of the text between the type and the first
    /// `\r\n`, how many bytes the line occupies, whether its text is `?` (a streamed aggregate or string), and the
    /// text read as a decimal integer when it is one (lengths and counts, read in the same pass); `nil` if the
    /// terminator has not arrived yet.
    private struct Header {
        var type: UInt8
        var lineLength: Int
        var consumed: Int
        var isStreamed: Bool
        var number: Int64?
    }

    private func header(in buffer: ByteBuffer) throws(RESPDecodingError) -> Header? {
        let maxLineLength = limits.maxLineLength
        let scanned: Result<Header?, RESPDecodingError> = buffer.withUnsafeReadableBytes { bytes in
            guard let type = bytes.first else { return .success(nil) }
            var index = 1
            while index < bytes.count && bytes[index] != UInt8(ascii: "\r") { index += 1 }
            let lineLength = index - 1
            guard index < bytes.count else {
                return lineLength > maxLineLength ? .failure(.lineTooLong(limit: maxLineLength)) : .success(nil)
            }
            if lineLength > maxLineLength { return .failure(.lineTooLong(limit: maxLineLength)) }
            guard index + 1 < bytes.count else { return .success(nil) }
            guard bytes[index + 1] == UInt8(ascii: "\n") else { return .failure(.missingCRLF) }
            let line = UnsafeRawBufferPointer(rebasing: bytes[1..<index])
            return .success(
                Header(
                    type: type, lineLength: lineLength, consumed: lineLength + 3,
                    isStreamed: lineLength == 1 && line[0] == UInt8(ascii: "?"), number: Self.parseInt64(line)))
        }
        return try scanned.get()
    }

    static func parseInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var digits = bytes[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            // Accumulating negatively reaches Int64.min without overflowing.
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    private static func parseDouble(_ text: String) throws(RESPDecodingError) -> Double {
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "-nan": return .nan
        default:
            // Swift's Double(String) also takes hex floats and "infinity"; RESP allows only decimal notation.
            let allowed = Set("0123456789+-.eE")
            guard !text.isEmpty, text.allSatisfy(allowed.contains), let value = Double(text) else {
                throw .invalidDouble(text)
            }
            return value
        }
    }
}
