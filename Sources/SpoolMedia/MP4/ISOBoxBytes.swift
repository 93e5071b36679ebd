/// Big-endian reads over the bytes of an ISO base media (MP4) box, every one bounds-checked: a damaged or cut-off
/// file makes a read throw, never trap.
struct ISOBoxBytes: Sendable {
    let bytes: [UInt8]
    let range: Range<Int>

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        self.range = range ?? bytes.indices
    }

    var count: Int { range.count }

    func uint8(at offset: Int) throws(MP4IndexError) -> UInt8 {
        try check(offset, 1)
        return bytes[range.lowerBound + offset]
    }

    func uint16(at offset: Int) throws(MP4IndexError) -> UInt16 { try bigEndian(at: offset) }
    func uint32(at offset: Int) throws(MP4IndexError) -> UInt32 { try bigEndian(at: offset) }
    func uint64(at offset: Int) throws(MP4IndexError) -> UInt64 { try bigEndian(at: offset) }

    /// The unsigned integer stored big-endian (as every ISO box field is) at `offset`.
    func bigEndian<Value: FixedWidthInteger & UnsignedInteger>(at offset: Int) throws(MP4IndexError) -> Value {
        let width = Value.bitWidth / 8
        try check(offset, width)
        var value: Value = 0
        for byte in bytes[(range.lowerBound + offset)..<(range.lowerBound + offset + width)] {
            value = value << 8 | Value(byte)
        }
        return value
    }

    func fourCC(at offset: Int) throws(MP4IndexError) -> String {
        try check(offset, 4)
        let start = range.lowerBound + offset
        return String(decoding: bytes[start..<(start + 4)], as: UTF8.self)
    }

    /// The bytes `offset..<offset+length` of this box as a box of their own.
    func slice(_ offset: Int, _ length: Int) throws(MP4IndexError) -> ISOBoxBytes {
        try check(offset, length)
        return ISOBoxBytes(bytes, range: (range.lowerBound + offset)..<(range.lowerBound + offset + length))
    }

    /// The child boxes laid end to end from `offset`: (type, payload), in order.
    func children(from offset: Int = 0) throws(MP4IndexError) -> [(type: String, payload: ISOBoxBytes)] {
        var children: [(type: String, payload: ISOBoxBytes)] = []
        var position = offset
        while position + 8 <= count {
            var size = Int(try uint32(at: position))
            let type = try fourCC(at: position + 4)
            var header = 8
            if size == 1 {
                guard let large = Int(exactly: try uint64(at: position + 8)) else { throw .damaged("box too large") }
                size = large
                header = 16
            } else if size == 0 {
                size = count - position
            }
            // Subtracted, not added: a 64-bit size near Int.max must be refused, not overflow.
            guard size >= header, size <= count - position else {
                throw .damaged("the \(type) box runs past its parent")
            }
            children.append((type, try slice(position + header, size - header)))
            position += size
        }
        return children
    }

    func child(_ type: String) throws(MP4IndexError) -> ISOBoxBytes? {
        try children().first { $0.type == type }?.payload
    }

    private func check(_ offset: Int, _ length: Int) throws(MP4IndexError) {
        guard offset >= 0, length >= 0, offset <= count - length else {
            throw .damaged("a read past the end of a box")
        }
    }
}
