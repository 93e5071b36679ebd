/// A key in a storage backend: slash-separated, relative, with no empty, `.` or `..` segment, so a key can never name
/// something outside its backend's root (a directory for `file`, a bucket prefix for `s3`).
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) throws(StorageError) {
        guard ObjectKey.isValid(rawValue) else { throw .invalidKey(rawValue) }
        self.rawValue = rawValue
    }

    /// The keys Spool builds itself from checked parts (IDs, output names).
    public init(checked rawValue: String) {
        precondition(ObjectKey.isValid(rawValue), "invalid object key \(rawValue)")
        self.rawValue = rawValue
    }

    public static func isValid(_ key: String) -> Bool {
        guard !key.isEmpty, key.utf8.count <= 1024, !key.hasPrefix("/") else { return false }
        return key.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && !segment.contains { $0 == "\0" || $0 == "\n" || $0 == "\r" }
        }
    }

    /// `self/child`, for building keys below a prefix.
    public func appending(_ child: String) throws(StorageError) -> ObjectKey { try ObjectKey(rawValue + "/" + child) }

    public var description: String { rawValue }
    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { a.rawValue < b.rawValue }
}
