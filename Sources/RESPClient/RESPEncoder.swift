import NIOCore

/// Writes commands the way every Redis client must send them: an array of bulk strings
/// (`*<n>\r\n` then `$<len>\r\n<bytes>\r\n` per argument), which is binary-safe and works for RESP2 and RESP3.
public enum RESPEncoder {
    public static func encode(_ command: [RESPArgument], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        writeDecimal(command.count, into: &buffer)
        for argument in command {
            buffer.writeInteger(UInt8(ascii: "$"))
            writeDecimal(argument.buffer.readableBytes, into: &buffer)
            var bytes = argument.buffer
            buffer.writeBuffer(&bytes)
            buffer.writeStaticString("\r\n")
        }
    }

    public static func encode(_ command: [RESPArgument]) -> ByteBuffer {
        var buffer = ByteBuffer()
        encode(command, into: &buffer)
        return buffer
    }

    private static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(String(value))
        buffer.writeStaticString("\r\n")
    }
}
