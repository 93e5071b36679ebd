import NIOCore

/// Redis Cluster's key → slot function: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key, or of its
/// hash tag, modulo 16384 (cluster spec, "Keys distribution model" and "Hash tags").
public enum HashSlot {
    public static let count = 16384
    public static let range = 0..<count

    public static func slot(for key: some Collection<UInt8>) -> Int {
        Int(crc16(hashTag(of: key)) % UInt16(count))
    }

    public static func slot(for key: String) -> Int {
        slot(for: Array(key.utf8))
    }

    public static func slot(for argument: RESPArgument) -> Int {
        slot(for: argument.buffer.readableBytesView)
    }

    /// The part of the key that is hashed: the bytes between the first `{` and the next `}` if that is non-empty,
    /// otherwise the whole key (so `foo{}{bar}` hashes whole, `foo{{bar}}` hashes `{bar`).
    public static func hashTag<Key: Collection<UInt8>>(of key: Key) -> Key.SubSequence {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key[...] }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen else {
            return key[...]
        }
        return key[afterOpen..<close]
    }

    public static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
