import Foundation

/// The values one `SortedJSONEncoder.encode` call collects before writing them: objects and arrays as nodes that
/// link their children, scalars as finished bytes in one shared buffer. Keys are sorted only when written, since a
/// type encodes its keys in declaration order.
final class JSONTree {
    enum Kind: UInt8 {
        /// Made for a value that has not said what it is yet (it may still ask for a container).
        case pending
        case scalar
        case object
        case array
    }

    struct Node {
        var kind: Kind
        /// Its key in the parent object ("" in an array).
        var key: String
        var parent: Int
        var firstChild = -1
        var lastChild = -1
        var nextSibling = -1
        var childCount = 0
        /// A scalar's bytes in `scalars`.
        var start = 0
        var end = 0
    }

    let options: SortedJSONEncoder
    var nodes: [Node]
    var scalars: [UInt8] = []
    let root = 0

    init(options: SortedJSONEncoder) {
        self.options = options
        nodes = [Node(kind: .pending, key: "", parent: -1)]
        nodes.reserveCapacity(64)
        scalars.reserveCapacity(1024)
    }

    /// A new pending child of `parent` (an object or an array), last among its children.
    func addChild(of parent: Int, key: String) -> Int {
        let index = nodes.count
        nodes.append(Node(kind: .pending, key: key, parent: parent))
        if nodes[parent].lastChild >= 0 {
            nodes[nodes[parent].lastChild].nextSibling = index
        } else {
            nodes[parent].firstChild = index
        }
        nodes[parent].lastChild = index
        nodes[parent].childCount += 1
        return index
    }

    /// Makes `node` an object or an array, once: a value that asks for the same container twice gets the first.
    func become(_ kind: Kind, _ node: Int) {
        if nodes[node].kind == .pending { nodes[node].kind = kind }
    }

    func codingPath(of node: Int) -> [any CodingKey] {
        var path: [any CodingKey] = []
        var current = node
        while current > 0 {
            let parent = nodes[current].parent
            if nodes[parent].kind == .array {
                var position = 0
                var sibling = nodes[parent].firstChild
                while sibling != current {
                    position += 1
                    sibling = nodes[sibling].nextSibling
                }
                path.append(TreeKey(intValue: position))
            } else {
                path.append(TreeKey(stringValue: nodes[current].key))
            }
            current = parent
        }
        return path.reversed()
    }

    // MARK: - Values

    /// Encodes `value` as `node`. The types Foundation writes its own way are found by type identity, which costs a
    /// comparison where a dynamic cast (`as? Date`) cost more than writing the value.
    func encode<T: Encodable>(_ value: T, into node: Int) throws {
        if T.self == String.self {
            writeString(unsafeBitCast(value, to: String.self), into: node)
        } else if T.self == Int.self {
            writeRaw(String(unsafeBitCast(value, to: Int.self)), into: node)
        } else if T.self == Double.self {
            try writeFloatingPoint(unsafeBitCast(value, to: Double.self), into: node)
        } else if T.self == Bool.self {
            writeBool(unsafeBitCast(value, to: Bool.self), into: node)
        } else if T.self == Date.self {
            try writeDate(unsafeBitCast(value, to: Date.self), into: node)
        } else if T.self == URL.self {
            writeString((value as! URL).absoluteString, into: node)
        } else if T.self == Data.self {
            writeString((value as! Data).base64EncodedString(), into: node)
        } else if T.self == Decimal.self {
            writeRaw((value as! Decimal).description, into: node)
        } else {
            try value.encode(to: TreeEncoder(tree: self, node: node))
        }
    }

    func writeRaw(_ text: String, into node: Int) {
        let start = scalars.count
        scalars.append(contentsOf: text.utf8)
        finishScalar(node, from: start)
    }

    func writeNull(into node: Int) { writeRaw("null", into: node) }

    func writeBool(_ value: Bool, into node: Int) { writeRaw(value ? "true" : "false", into: node) }

    /// A `Double` or a `Float`, as its shortest description.
    func writeFloatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, into node: Int) throws {
        guard value.isFinite else { return try writeNonConforming(isNaN: value.isNaN, positive: value > 0, node) }
        writeRaw(Self.trimmed(value.description), into: node)
    }

    /// Foundation writes a whole number without Swift's ".0".
    private static func trimmed(_ description: String) -> String {
        description.hasSuffix(".0") ? String(description.dropLast(2)) : description
    }

    private func writeNonConforming(isNaN: Bool, positive: Bool, _ node: Int) throws {
        switch options.nonConformingFloats {
        case .refuse:
            throw EncodingError.invalidValue(
                isNaN ? Double.nan : positive ? Double.infinity : -Double.infinity,
                EncodingError.Context(
                    codingPath: codingPath(of: node),
                    debugDescription: "Unable to encode \(isNaN ? "NaN" : positive ? "inf" : "-inf") directly in JSON.")
            )
        case .strings(let positiveInfinity, let negativeInfinity, let nan):
            writeString(isNaN ? nan : positive ? positiveInfinity : negativeInfinity, into: node)
        }
    }

    func writeDate(_ date: Date, into node: Int) throws {
        switch options.dates {
        case .secondsSinceReferenceDate:
            try writeFloatingPoint(date.timeIntervalSinceReferenceDate, into: node)
        case .iso8601 where date.timeIntervalSince1970 >= Self.gregorianSince:
            writeString(Self.iso8601(date), into: node)
        case .iso8601:
            // Foundation's calendar is Julian before the Gregorian reform, `gmtime` Gregorian all the way back.
            // Made for each such date (none a job has): a formatter shared between threads is not safe to use.
            writeString(ISO8601DateFormatter().string(from: date), into: node)
        }
    }

    /// 1582-10-15, the first day of the Gregorian calendar, in seconds since 1970.
    private static let gregorianSince: TimeInterval = -12_219_292_800

    /// `yyyy-MM-ddTHH:mm:ssZ`, the second rounded down, as Foundation's `ISO8601DateFormatter` writes it.
    static func iso8601(_ date: Date) -> String {
        var seconds = time_t(floor(date.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = Int(parts.tm_year) + 1900
        let padded = year < 0 ? "\(year)" : String(repeating: "0", count: max(0, 4 - "\(year)".count)) + "\(year)"
        return padded + "-" + two(parts.tm_mon + 1) + "-" + two(parts.tm_mday) + "T" + two(parts.tm_hour) + ":"
            + two(parts.tm_min) + ":" + two(parts.tm_sec) + "Z"
    }

    func writeString(_ text: String, into node: Int) {
        let start = scalars.count
        Self.appendQuoted(text, to: &scalars)
        finishScalar(node, from: start)
    }

    /// `text` in quotes, escaped as Foundation escapes it: quote, backslash and control characters only (the named
    /// ones as `\n` and the like, the rest as `\u00xx`); slashes, DEL and everything past ASCII as they are.
    static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var clean = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[clean..<index]))
                clean = index + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                default:
                    output.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hexDigit(byte >> 4), hexDigit(byte & 15)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[clean...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    private func finishScalar(_ node: Int, from start: Int) {
        nodes[node].kind = .scalar
        nodes[node].start = start
        nodes[node].end = scalars.count
    }

    // MARK: - Writing

    /// Writes the whole tree, through pointers: the nodes and the scalars are only read here, and a class's arrays
    /// reached through `self` would be checked for exclusive access at every read.
    func write(to output: inout [UInt8]) {
        nodes.withUnsafeBufferPointer { nodes in
            scalars.withUnsafeBufferPointer { scalars in
                Self.write(root, nodes: nodes, scalars: scalars, to: &output)
            }
        }
    }

    private static func write(
        _ node: Int, nodes: UnsafeBufferPointer<Node>, scalars: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]
    ) {
        switch nodes[node].kind {
        case .scalar:
            output.append(contentsOf: UnsafeBufferPointer(rebasing: scalars[nodes[node].start..<nodes[node].end]))
        case .array:
            output.append(UInt8(ascii: "["))
            var child = nodes[node].firstChild
            while child >= 0 {
                write(child, nodes: nodes, scalars: scalars, to: &output)
                child = nodes[child].nextSibling
                if child >= 0 { output.append(UInt8(ascii: ",")) }
            }
            output.append(UInt8(ascii: "]"))
        case .object, .pending:
            // A value that asked for no container at all is written as an empty object, as Foundation does.
            output.append(UInt8(ascii: "{"))
            var children: [Int] = []
            children.reserveCapacity(nodes[node].childCount)
            var child = nodes[node].firstChild
            var sorted = true
            while child >= 0 {
                if let last = children.last, !precedes(nodes[last].key, nodes[child].key) { sorted = false }
                children.append(child)
                child = nodes[child].nextSibling
            }
            // Of two values under one key the later one is kept, as Foundation keeps it: equal keys sort by when
            // they were encoded, and only the last of a run is written.
            if !sorted {
                children.sort { a, b in
                    precedes(nodes[a].key, nodes[b].key) || (a < b && nodes[a].key == nodes[b].key)
                }
            }
            var first = true
            for (position, child) in children.enumerated() {
                if !sorted && position + 1 < children.count && nodes[children[position + 1]].key == nodes[child].key {
                    continue
                }
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                appendQuoted(nodes[child].key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(child, nodes: nodes, scalars: scalars, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Whether `a` sorts before `b` by their UTF-8 bytes.
    static func precedes(_ a: String, _ b: String) -> Bool {
        let order = a.utf8.withContiguousStorageIfAvailable { a in
            b.utf8.withContiguousStorageIfAvailable { b in
                let common = min(a.count, b.count)
                let order = common > 0 ? memcmp(a.baseAddress!, b.baseAddress!, common) : 0
                return order != 0 ? order < 0 : a.count < b.count
            }
        }
        return (order ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// A key of a coding path the tree rebuilds for an error.
struct TreeKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init(intValue: Int) {
        stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}
