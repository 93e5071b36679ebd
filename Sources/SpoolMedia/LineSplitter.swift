/// Cuts a byte stream into text lines at '\n' or '\r'. A line longer than `maxLineBytes` is cut short rather than
/// buffered without bound: a misbehaving child must not be able to exhaust the worker's memory.
struct LineSplitter: Sendable {
    let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var overflowed = false

    init(maxLineBytes: Int = 4096) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if !pending.isEmpty || overflowed { lines.append(String(decoding: pending, as: UTF8.self)) }
                pending.removeAll(keepingCapacity: true)
                overflowed = false
            } else if pending.count < maxLineBytes {
                pending.append(byte)
            } else {
                overflowed = true
            }
        }
        return lines
    }

    /// The unterminated last line, if any.
    mutating func finish() -> String? {
        defer {
            pending.removeAll()
            overflowed = false
        }
        return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
    }
}
