import Foundation

/// Where uploads and outputs live, parsed from `--storage`.
public enum StorageLocation: Sendable, Equatable {
    /// The data directory itself (the default): files are published by rename, nothing is copied.
    case dataDirectory
    /// Another directory every process can reach (a shared volume).
    case directory(String)
    /// An S3-compatible bucket, with an optional key prefix (no leading or trailing slash).
    case s3(bucket: String, prefix: String)

    /// `nil`, `file:///PATH` or `s3://BUCKET[/PREFIX]`.
    public static func parse(_ text: String?) throws(RuntimeConfigurationError) -> StorageLocation {
        guard let text, !text.isEmpty else { return .dataDirectory }
        if text.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard path.hasPrefix("/") else {
                throw .outOfRange(field: "storage", rule: "file:///ABSOLUTE/PATH (got \(text))")
            }
            return .directory(URL(fileURLWithPath: path).standardizedFileURL.path)
        }
        if text.hasPrefix("s3://") {
            let rest = text.dropFirst("s3://".count).split(separator: "/", maxSplits: 1)
            guard let bucket = rest.first.map(String.init), Self.isBucketName(bucket) else {
                throw .outOfRange(field: "storage", rule: "s3://BUCKET[/PREFIX] with a valid bucket name (got \(text))")
            }
            let prefix = rest.count > 1 ? rest[1].trimmingCharacters(in: CharacterSet(charactersIn: "/")) : ""
            return .s3(bucket: bucket, prefix: prefix)
        }
        throw .outOfRange(field: "storage", rule: "file:///PATH or s3://BUCKET[/PREFIX] (got \(text))")
    }

    /// S3's rules: 3–63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter
    /// or digit.
    static func isBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, let last = name.last,
            first.isLetter || first.isNumber, last.isLetter || last.isNumber
        else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
    }
}
