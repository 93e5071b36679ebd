/// Opaque identifiers. Each is a prefixed random token so a stray ID in a log says what it names. They encode as
/// plain JSON strings (the standard library's coding for `RawRepresentable` types).
public struct JobID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static func generate() -> JobID { JobID(rawValue: "job_" + RandomToken.make()) }
    public var description: String { rawValue }
    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }
}

public struct WorkerID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static func generate(pool: String) -> WorkerID {
        WorkerID(rawValue: "wrk_\(pool)_" + RandomToken.make(length: 8))
    }
    public var description: String { rawValue }
}

public struct TenantID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Until API keys arrive every job belongs to this tenant; the model already carries the field.
    public static let `default` = TenantID(rawValue: "default")
    public var description: String { rawValue }
}

public struct UploadID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static func generate() -> UploadID { UploadID(rawValue: "upl_" + RandomToken.make()) }
    public var description: String { rawValue }

    /// Upload IDs become file names, so only the generated alphabet is accepted.
    public var isWellFormed: Bool {
        rawValue.hasPrefix("upl_") && rawValue.count <= 64
            && rawValue.dropFirst(4).allSatisfy { RandomToken.alphabet.contains($0) } && rawValue.count > 4
    }
}

enum RandomToken {
    private static let characters = "0123456789abcdefghjkmnpqrstvwxyz"
    static let alphabet = Array(characters)
    private static let alphabetBytes = Array(characters.utf8)

    /// `length` characters of 5 random bits each (the alphabet has 32), twelve from each 64-bit draw: every draw from
    /// the system generator is a system call, and one per character was a visible share of a submission's cost.
    static func make(length: Int = 16) -> String {
        var generator = SystemRandomNumberGenerator()
        var bits: UInt64 = 0
        var left = 0
        return String(
            unsafeUninitializedCapacity: length,
            initializingUTF8With: { buffer in
                for index in 0..<length {
                    if left < 5 {
                        bits = generator.next()
                        left = 64
                    }
                    buffer[index] = alphabetBytes[Int(bits & 31)]
                    bits >>= 5
                    left -= 5
                }
                return length
            })
    }
}
