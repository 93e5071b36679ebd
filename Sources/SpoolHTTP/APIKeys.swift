import Crypto
import Foundation
import SpoolCore

/// API keys: random, shown once, stored as SHA-256. Keys carry 256 bits of randomness, so a fast hash is enough; a
/// slow password hash would only slow every request down.
public enum APIKeys {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        // 64 URL-safe characters, 6 bits each: no modulo, so no character is likelier than another.
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_")
        var bits: UInt32 = 0
        var count = 0
        var key = "spk_"
        for byte in bytes {
            bits = (bits << 8) | UInt32(byte)
            count += 8
            while count >= 6 {
                count -= 6
                key.append(alphabet[Int((bits >> UInt32(count)) & 0x3F)])
            }
        }
        return key
    }

    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).hexString
    }

    public static func hint(_ key: String) -> String { String(key.suffix(4)) }

    /// Compares without an early exit, so timing does not reveal how much of a guess was right.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
