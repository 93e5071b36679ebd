import Foundation

/// What a backend knows of one stored object.
public struct StoredObject: Sendable, Equatable {
    public var key: ObjectKey
    public var size: Int64
    /// An opaque version tag: equal for equal contents under one backend (S3's ETag; size and mtime for files).
    public var etag: String
    public var lastModified: Date

    public init(key: ObjectKey, size: Int64, etag: String, lastModified: Date) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}
