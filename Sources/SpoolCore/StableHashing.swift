/// Hashes that are the same in every process and after every restart (Swift's `Hasher` is seeded per process), for
/// values that several processes must agree on: ETags, which worker is expected to run a job.
public enum StableHash {
    /// FNV-1a, 64 bits.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

extension Sequence<UInt8> {
    /// Lowercase hex, two digits a byte: how digests, keys and signatures are written.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
