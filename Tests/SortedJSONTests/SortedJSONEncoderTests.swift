import Foundation
import SortedJSON
import SpoolAPIModels
import SpoolCore
import Testing

/// The encoder must write what Foundation's `JSONEncoder` writes with sorted keys and unescaped slashes, byte for
/// byte: stored jobs are compared by their text, and the API's answers are pinned by the wire-format tests. Every
/// case here is encoded by both and compared.
@Suite struct SortedJSONEncoderTests {
    @Test func keysSortByTheirUTF8BytesAsFoundationSortsThem() throws {
        try expectSame(
            [
                "é": 1, "e": 2, "f": 3, "E": 4, "_": 5, "Z": 6, "z": 7, "ß": 8, "ss": 9, "1": 10, "01": 11, "001": 12,
                "10": 13, "2": 14, "a\u{0}": 15, "": 16, "🙂": 17, "ｅ": 18, "e\u{301}x": 19, "Ab": 20, "a09": 21,
                "a9": 22, "job_id": 23, "jobs": 24,
            ])
        try expectSame([1: "a", 10: "b", 2: "c", -3: "d"])
    }

    @Test func stringsAreEscapedAsFoundationEscapesThem() throws {
        var everyByte = ""
        for scalar in 0..<0x80 { everyByte.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        try expectSame([
            "q\"\\/\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}\u{2028}\u{2029}é🙂", "", everyByte, "https://a.example/b?c=d&e=f",
            "\u{FEFF}bom", "e\u{301}", String(repeating: "long ", count: 200),
        ])
    }

    @Test func numbersAreWrittenAsFoundationWritesThem() throws {
        try expectSame([
            0.0, -0.0, 1.0, 0.1, 1e-7, 1e21, 1e16, 123456789.123, .greatestFiniteMagnitude, 100.0, 1e15,
            0.5, 2.5e-5, 123456789012345680.0, .leastNonzeroMagnitude, -2.75, 1.0 / 3.0, 818_000_000.123456,
        ])
        try expectSame([Float(0.1), 1, 3.4e38, -0.0, 1e-8])
        try expectSame([Int.min, Int.max, 0, -1])
        try expectSame([UInt64.max])
        try expectSame(Mixed())
    }

    @Test func nonFiniteNumbersFollowTheStrategy() throws {
        try expectSame([Double.nan, .infinity, -.infinity], floats: stringFloats)
        try expectSame([Float.nan, .infinity, -.infinity], floats: stringFloats)
        #expect(throws: EncodingError.self) { try SortedJSONEncoder(dates: .iso8601).encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try SortedJSONEncoder(dates: .iso8601).encode(["x": Float.infinity]) }
    }

    @Test func datesFollowTheStrategy() throws {
        let dates = [0, 1.9, -1.5, 1_800_000_000.999, 2_000_000, -62_000_000_000, 253_402_300_799].map {
            Date(timeIntervalSince1970: $0)
        }
        try expectSame(dates)
        try expectSame(dates, dates: .secondsSinceReferenceDate)
        try expectSame(["at": Date(timeIntervalSinceReferenceDate: 0.1)], dates: .secondsSinceReferenceDate)
    }

    @Test func foundationsOwnTypesAreWrittenItsWay() throws {
        try expectSame(["url": URL(string: "https://a/b%20c?d=e")!])
        try expectSame(["data": Data([1, 2, 3, 250])])
        try expectSame(["decimal": Decimal(string: "12.50")!])
    }

    @Test func containersOfEveryKindNestAsInFoundation() throws {
        try expectSame(Nested())
        try expectSame([[String: [Int]]]([["b": [1, 2], "a": []], [:]]))
        try expectSame(Optionals(present: 3, absent: nil))
    }

    @Test func randomTreesEncodeAlike() throws {
        var random = SeededRandom(seed: 7)
        for _ in 0..<400 {
            let tree = RandomValue.make(depth: 4, using: &random)
            try expectSame(tree)
            try expectSame(tree, dates: .secondsSinceReferenceDate, floats: stringFloats)
        }
    }

    @Test func jobsAndTheirViewsEncodeAlike() throws {
        let t0 = Date(timeIntervalSince1970: 2_000_000.25)
        var job = Job(
            id: JobID(rawValue: "job_v"),
            spec: JobSpec(
                input: .file(path: "/in/a \"quoted\".mp4"), outputs: Presets.named("hls-ladder")!.outputs,
                metadata: ["customer": "acme", "Zone": "eu/1", "é": "x"], preset: "hls-ladder",
                callbackURL: "https://hooks.example.com/spool"),
            now: t0)
        job.outputs = [
            OutputResult(
                name: "web", kind: .mp4, path: "web.mp4", files: ["web.mp4"], codec: "h264", width: 640, height: 360,
                durationSeconds: 12.5, sizeBytes: 1024, ssim: 0.98)
        ]
        job.startedAt = t0.addingTimeInterval(1.5)
        job.attempt = 2
        job.progress = TranscodeProgress(fraction: 0.5)
        job.leaseExpiresAt = t0.addingTimeInterval(30)
        job.error = JobError(code: .transcodeFailed, message: "exit 1\nstderr: bad \u{1} byte", stderrTail: ["a", "b"])
        try expectSame(job, dates: .secondsSinceReferenceDate, floats: stringFloats)
        try expectSame(job)
        let view = JobView(job, layout: DataLayout(root: "/data"))
        try expectSame(view)
        #expect(try SortedJSONEncoder(dates: .iso8601).encode(view) == Array(try APIJSON.encoder.encode(view)))
    }

    // MARK: - Helpers

    let stringFloats = SortedJSONEncoder.NonConformingFloats.strings(
        positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")

    func expectSame<T: Encodable>(
        _ value: T, dates: SortedJSONEncoder.Dates = .iso8601, floats: SortedJSONEncoder.NonConformingFloats = .refuse,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch dates {
        case .iso8601: foundation.dateEncodingStrategy = .iso8601
        case .secondsSinceReferenceDate: foundation.dateEncodingStrategy = .deferredToDate
        }
        if case .strings(let positive, let negative, let nan) = floats {
            foundation.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: positive, negativeInfinity: negative, nan: nan)
        }
        let expected = String(decoding: try foundation.encode(value), as: UTF8.self)
        let actual = try SortedJSONEncoder(dates: dates, nonConformingFloats: floats).encodeToString(value)
        #expect(actual == expected, sourceLocation: sourceLocation)
    }
}

private struct Mixed: Encodable {
    var int8: Int8 = -8
    var int16: Int16 = 16
    var int32: Int32 = -32
    var int64: Int64 = 64
    var uint: UInt = 1
    var uint8: UInt8 = 255
    var uint16: UInt16 = 16
    var uint32: UInt32 = 32
    var uint64: UInt64 = 64
    var float: Float = 2.5
    var bool = true
}

private struct Nested: Encodable {
    enum Keys: String, CodingKey { case b, a, list, inner, again }
    enum InnerKeys: String, CodingKey { case y, x }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("two", forKey: .b)
        try container.encodeNil(forKey: .a)
        var list = container.nestedUnkeyedContainer(forKey: .list)
        try list.encode(1)
        try list.encodeNil()
        var row = list.nestedUnkeyedContainer()
        try row.encode("r")
        var cell = list.nestedContainer(keyedBy: InnerKeys.self)
        try cell.encode(true, forKey: .y)
        var inner = container.nestedContainer(keyedBy: InnerKeys.self, forKey: .inner)
        try inner.encode(1.5, forKey: .x)
        try inner.encode([Int](), forKey: .y)
        var single = container.superEncoder(forKey: .again).singleValueContainer()
        try single.encode(["k": "v"])
    }
}

private struct Optionals: Encodable {
    var present: Int?
    var absent: Int?
}

/// A JSON-like value of random shape: what a job's metadata or a report could hold.
private indirect enum RandomValue: Encodable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case date(Date)
    case null
    case array([RandomValue])
    case object([String: RandomValue])

    static func make(depth: Int, using random: inout SeededRandom) -> RandomValue {
        switch random.below(depth > 0 ? 8 : 6) {
        case 0: return .string(randomString(using: &random))
        case 1: return .int(Int(bitPattern: UInt(random.next())) >> random.below(64))
        case 2:
            let bits = random.next()
            let value = Double(bitPattern: bits)
            return .double(value.isFinite ? value : Double(Int(bitPattern: UInt(bits >> 12))) / 1024)
        case 3: return .bool(random.below(2) == 0)
        case 4: return .date(Date(timeIntervalSince1970: Double(random.below(4_000_000_000)) / 3))
        case 5: return .null
        case 6: return .array((0..<random.below(5)).map { _ in make(depth: depth - 1, using: &random) })
        default:
            var object: [String: RandomValue] = [:]
            for _ in 0..<random.below(6) {
                object[randomString(using: &random)] = make(depth: depth - 1, using: &random)
            }
            return .object(object)
        }
    }

    static func randomString(using random: inout SeededRandom) -> String {
        let pool: [Unicode.Scalar] = [
            "a", "b", "Z", "_", "0", "9", "/", "\"", "\\", "\n", "\u{1}", "\u{1f}", "\u{7f}", "é", "ß", "🙂", "\u{301}",
            "ｅ", " ",
        ]
        var text = String.UnicodeScalarView()
        for _ in 0..<random.below(8) { text.append(pool[random.below(pool.count)]) }
        return String(text)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .date(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

private struct SeededRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
