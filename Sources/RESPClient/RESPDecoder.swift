import NIOCore

/// Turns the byte stream from a Redis server into `RESPValue`s for the next handler in the pipeline.
public struct RESPDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RESPValue

    private var parser: RESPParser

    public init(limits: RESPParser.Limits = RESPParser.Limits()) {
        self.parser = RESPParser(limits: limits)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> RESPValue? {
        try parser.next(from: &buffer)
    }

    /// A reply cut off by EOF is dropped: the connection is gone and its pending commands fail with
    /// `RedisError.connectionClosed`.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPValue? {
        try parser.next(from: &buffer)
    }
}
