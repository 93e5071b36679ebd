import NIOCore

/// One argument of a command. Redis takes every argument as a bulk string, so numbers are sent as their decimal text.
///
/// ```swift
/// try await client.send(["SET", "greeting", "hello", "EX", 60])
/// try await client.send(["SET", .init(key), .init(bytes: payload)])
/// ```
public struct RESPArgument: Sendable, Hashable {
    /// The bytes sent on the wire.
    public let buffer: ByteBuffer

    public init(_ text: String) {
        self.buffer = ByteBuffer(string: text)
    }

    public init(_ value: some BinaryInteger) {
        self.buffer = ByteBuffer(string: String(value))
    }

    /// Sent with Swift's shortest round-tripping representation, which Redis parses back exactly (`INCRBYFLOAT`,
    /// `ZADD`); infinities are written as Redis spells them.
    public init(_ value: Double) {
        switch value {
        case .infinity: self.buffer = ByteBuffer(string: "+inf")
        case -.infinity: self.buffer = ByteBuffer(string: "-inf")
        default: self.buffer = ByteBuffer(string: String(value))
        }
    }

    public init(bytes: some Sequence<UInt8>) {
        self.buffer = ByteBuffer(bytes: bytes)
    }

    public init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// The argument as text, invalid UTF-8 repaired; used for command names and error messages.
    public var string: String {
        String(buffer: buffer)
    }
}

extension RESPArgument: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self.init(value)
    }
}

extension RESPArgument: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self.init(value)
    }
}

extension RESPArgument: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self.init(value)
    }
}

extension RESPArgument: CustomStringConvertible {
    public var description: String { string }
}

/// `"job:\(id)"` works like a literal.
extension RESPArgument: ExpressibleByStringInterpolation {}
