import NIOCore
import Testing

@testable import RESPClient

/// Wire samples for every RESP2 and RESP3 type, with the value each must decode to.
private let samples: [(wire: String, value: RESPValue)] = [
    ("+OK\r\n", .simpleString("OK")),
    ("-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
    (":0\r\n", .integer(0)),
    (":-42\r\n", .integer(-42)),
    (":9223372036854775807\r\n", .integer(.max)),
    (":-9223372036854775808\r\n", .integer(.min)),
    ("$5\r\nhello\r\n", .bulkString("hello")),
    ("$0\r\n\r\n", .bulkString("")),
    ("$4\r\na\r\nb\r\n", .bulkString("a\r\nb")),
    ("$-1\r\n", .bulkString(nil)),
    ("*2\r\n$3\r\nfoo\r\n:1\r\n", .array([.bulkString("foo"), .integer(1)])),
    ("*0\r\n", .array([])),
    ("*-1\r\n", .array(nil)),
    ("_\r\n", .null),
    (",1.5\r\n", .double(1.5)),
    (",-2.5e-3\r\n", .double(-0.0025)),
    (",10\r\n", .double(10)),
    (",inf\r\n", .double(.infinity)),
    (",-inf\r\n", .double(-.infinity)),
    ("#t\r\n", .boolean(true)),
    ("#f\r\n", .boolean(false)),
    (
        "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
        .map([
            .init(key: .simpleString("first"), value: .integer(1)),
            .init(key: .simpleString("second"), value: .integer(2)),
        ])
    ),
    ("%0\r\n", .map([])),
    ("~3\r\n+a\r\n+b\r\n+c\r\n", .set([.simpleString("a"), .simpleString("b"), .simpleString("c")])),
    (">2\r\n+invalidate\r\n*1\r\n$3\r\nkey\r\n", .push([.simpleString("invalidate"), .array([.bulkString("key")])])),
    ("(3492890328409238509324850943850943825024385\r\n", .bigNumber("3492890328409238509324850943850943825024385")),
    ("(-12\r\n", .bigNumber("-12")),
    ("=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", text: "Some string")),
    ("!21\r\nSYNTAX invalid syntax\r\n", .error("SYNTAX invalid syntax")),
    // Attributes annotate the next value and are dropped.
    ("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n", .array([.integer(2)])),
    ("*2\r\n|1\r\n+ttl\r\n:3\r\n:1\r\n:2\r\n", .array([.integer(1), .integer(2)])),
    (
        "*3\r\n*2\r\n:1\r\n*0\r\n%1\r\n+k\r\n~1\r\n_\r\n*1\r\n*1\r\n*-1\r\n",
        .array([
            .array([.integer(1), .array([])]),
            .map([.init(key: .simpleString("k"), value: .set([.null]))]),
            .array([.array([.array(nil)])]),
        ])
    ),
]

private func decodeAll(_ chunks: [[UInt8]]) throws -> [RESPValue] {
    var parser = RESPParser()
    var buffer = ByteBuffer()
    var values: [RESPValue] = []
    for chunk in chunks {
        buffer.writeBytes(chunk)
        while let value = try parser.next(from: &buffer) { values.append(value) }
        buffer.discardReadBytes()
    }
    #expect(buffer.readableBytes == 0)
    #expect(!parser.isMidValue)
    return values
}

@Suite struct RESPCodecTests {
    @Test(arguments: samples.indices)
    func decodesEveryType(_ index: Int) throws {
        let (wire, expected) = samples[index]
        #expect(try decodeAll([Array(wire.utf8)]) == [expected])
    }

    @Test func decodesNaN() throws {
        let value = try #require(try RESPParser.parse(Array(",nan\r\n".utf8)))
        guard case .double(let double) = value else { Issue.record("not a double: \(value)"); return }
        #expect(double.isNaN)
    }

    @Test(arguments: samples.indices)
    func decodesFramesSplitAtEveryByte(_ index: Int) throws {
        let bytes = Array(samples[index].wire.utf8)
        // Byte by byte: nothing may come out before the last byte.
        var parser = RESPParser()
        var buffer = ByteBuffer()
        for (offset, byte) in bytes.enumerated() {
            buffer.writeInteger(byte)
            let value = try parser.next(from: &buffer)
            if offset < bytes.count - 1 {
                #expect(value == nil, "value emitted after \(offset + 1) of \(bytes.count) bytes")
            } else {
                #expect(value == samples[index].value)
            }
        }
        // Two chunks, split at every position.
        for split in 1..<bytes.count {
            #expect(try decodeAll([Array(bytes[..<split]), Array(bytes[split...])]) == [samples[index].value])
        }
    }

    @Test func decodesAStreamOfAllSamplesSplitAtEveryByte() throws {
        let stream = samples.flatMap { Array($0.wire.utf8) }
        #expect(try decodeAll(stream.map { [$0] }) == samples.map(\.value))
        #expect(try decodeAll([stream]) == samples.map(\.value))
    }

    @Test(arguments: [
        ("?foo\r\n", RESPDecodingError.unknownType(UInt8(ascii: "?"))),
        ("$abc\r\n", .invalidLength("abc")),
        ("$-2\r\n", .invalidLength("-2")),
        ("*-2\r\n", .invalidLength("-2")),
        ("%-1\r\n", .invalidLength("-1")),
        ("!-1\r\n", .invalidLength("-1")),
        (":12a\r\n", .invalidInteger("12a")),
        (":\r\n", .invalidInteger("")),
        (":99999999999999999999\r\n", .invalidInteger("99999999999999999999")),
        (",1.5x\r\n", .invalidDouble("1.5x")),
        (",0x1p3\r\n", .invalidDouble("0x1p3")),
        (",infinity\r\n", .invalidDouble("infinity")),
        ("#x\r\n", .invalidBoolean("x")),
        ("_x\r\n", .invalidNull("x")),
        ("(12a\r\n", .invalidBigNumber("12a")),
        ("=2\r\nab\r\n", .invalidVerbatimString),
        ("=5\r\ntxt-a\r\n", .invalidVerbatimString),
        ("$3\r\nabcd\r\n", .missingCRLF),
        ("+OK\rX", .missingCRLF),
        ("$?\r\n", .unsupported("streamed strings")),
        ("*?\r\n", .unsupported("streamed aggregates")),
    ])
    func refusesMalformedInput(_ wire: String, _ expected: RESPDecodingError) {
        #expect(throws: expected) { try RESPParser.parse(Array(wire.utf8)) }
    }

    @Test func enforcesLimits() {
        var limits = RESPParser.Limits()
        limits.maxLineLength = 8
        limits.maxBulkLength = 4
        limits.maxDepth = 3
        limits.maxElements = 10
        func parse(_ wire: String) throws(RESPDecodingError) -> RESPValue? {
            var parser = RESPParser(limits: limits)
            var buffer = ByteBuffer(string: wire)
            return try parser.next(from: &buffer)
        }
        #expect(throws: RESPDecodingError.lineTooLong(limit: 8)) { try parse("+0123456789") }
        #expect(throws: RESPDecodingError.lineTooLong(limit: 8)) { try parse("+0123456789\r\n") }
        #expect(throws: RESPDecodingError.bulkTooLong(length: 5, limit: 4)) { try parse("$5\r\n") }
        #expect(throws: RESPDecodingError.nestingTooDeep(limit: 3)) { try parse("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n") }
        #expect(throws: RESPDecodingError.tooManyElements(count: 11, limit: 10)) { try parse("*11\r\n") }
        #expect(throws: Never.self) { try parse("*1\r\n*1\r\n*1\r\n:1\r\n") }
    }

    @Test func errorsTellTheUserWhatToCheck() {
        let text = "\(RESPDecodingError.unknownType(0x48))"
        #expect(text.contains("'H'"))
        #expect(text.contains("is something other than Redis listening on that port"))
    }

    @Test func encodesCommandsAsArraysOfBulkStrings() {
        let buffer = RESPEncoder.encode(["SET", "key", RESPArgument("va\r\nl"), 42, RESPArgument(bytes: [0, 255]), ""])
        let expected: [UInt8] =
            Array("*6\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n$2\r\n42\r\n$2\r\n".utf8) + [0, 255]
            + Array("\r\n$0\r\n\r\n".utf8)
        #expect(Array(buffer.readableBytesView) == expected)
    }

    @Test func encodedCommandsDecodeBack() throws {
        let command: [RESPArgument] = ["LPUSH", "queue", RESPArgument(bytes: [1, 2, 13, 10]), -7]
        let decoded = try RESPParser.parse(RESPEncoder.encode(command).readableBytesView)
        #expect(decoded?.array?.compactMap(\.bytes) == command.map { Array($0.buffer.readableBytesView) })
    }

    @Test func argumentsFromSwiftValues() {
        #expect(RESPArgument(1.5).string == "1.5")
        #expect(RESPArgument(Double.infinity).string == "+inf")
        #expect(RESPArgument(-Double.infinity).string == "-inf")
        #expect(RESPArgument(UInt8(7)).string == "7")
        #expect((3.25 as RESPArgument).string == "3.25")
        #expect(RESPArgument(bytes: "é".utf8).buffer.readableBytes == 2)
    }

    @Test func accessors() {
        #expect(RESPValue.bulkString("42").int == 42)
        #expect(RESPValue.bulkString("4.5").double == 4.5)
        #expect(RESPValue.integer(7).string == "7")
        #expect(RESPValue.integer(1).bool == true)
        #expect(RESPValue.boolean(false).bool == false)
        #expect(RESPValue.simpleString("OK").string == "OK")
        #expect(RESPValue.verbatimString(format: "txt", text: "hi").string == "hi")
        #expect(RESPValue.bulkString(nil).string == nil)
        #expect(RESPValue.bulkString(nil).isNull && RESPValue.array(nil).isNull && RESPValue.null.isNull)
        #expect(!RESPValue.bulkString("").isNull)
        #expect(RESPValue.set([.integer(1)]).array == [.integer(1)])
        #expect(RESPValue.error("ERR x").errorMessage == "ERR x")
        let flat = RESPValue.array([.bulkString("a"), .bulkString("1"), .bulkString("b"), .bulkString("2")])
        #expect(flat.dictionary?["b"]?.int == 2)
        let map = RESPValue.map([.init(key: .bulkString("a"), value: .integer(1))])
        #expect(map.dictionary == ["a": .integer(1)])
        #expect(RESPValue.bulkString(ByteBuffer(bytes: [0xFF, 0x00])).description == "0xff00")
        #expect(RESPValue.array([.bulkString("x"), .null]).description == "[\"x\", (nil)]")
        #expect(
            RESPValue.bulkString(ByteBuffer(bytes: [0xFF, 0x00])).withUnsafeStringBytes { Array($0) } == [0xFF, 0])
        #expect(RESPValue.simpleString("é").withUnsafeStringBytes { Array($0) } == Array("é".utf8))
        #expect(RESPValue.bulkString("").withUnsafeStringBytes(\.count) == 0)
        #expect(RESPValue.bulkString(nil).withUnsafeStringBytes(\.count) == nil)
        #expect(RESPValue.integer(7).withUnsafeStringBytes(\.count) == nil)
    }
}
