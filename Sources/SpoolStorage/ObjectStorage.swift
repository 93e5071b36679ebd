import Foundation
import NIOCore

/// Where Spool keeps its files past one machine: uploads, attempt outputs and published outputs. Two backends, a
/// directory (`file`) and an S3-compatible bucket (`s3`), plus one in memory for tests; every one passes the same
/// conformance suite. Bodies stream: no object is ever held whole in memory.
public protocol ObjectStorage: Sendable {
    /// What this backend is, for logs, `/ready` and output URIs (never credentials): `file:///PATH`,
    /// `s3://BUCKET/PREFIX`; an object's URI is this, a slash, and its key.
    var name: String { get }

    /// The directory the objects are files under, when this process can open them directly (`file`): then callers
    /// keep using paths (renames, sendfile) and nothing is copied; nil for remote backends.
    var localRoot: String? { get }

    /// Fails unless the storage is there and usable (the directory exists and is writable; the bucket exists and the
    /// credentials may use it): what start-up and `/ready` ask.
    func checkAvailable() async throws(StorageError)

    /// Stores the file at `path` as `key`, replacing what was there; readers see the old object or the new one,
    /// never part of one.
    @discardableResult
    func put(_ key: ObjectKey, fromFile path: String, contentType: String?) async throws(StorageError) -> StoredObject

    /// Starts a streamed upload to `key`: nothing is visible under `key` until `complete()`, and `abort()` leaves
    /// nothing behind.
    func beginUpload(_ key: ObjectKey, contentType: String?) async throws(StorageError) -> any ObjectUpload

    /// The object's description, or nil when there is none.
    func head(_ key: ObjectKey) async throws(StorageError) -> StoredObject?

    /// The object's bytes (all, or `range`, inclusive), in chunks.
    func read(_ key: ObjectKey, range: ClosedRange<Int64>?) async throws(StorageError) -> ObjectBody

    /// Copies the object into the file at `path` (written whole, then renamed into place).
    func download(_ key: ObjectKey, toFile path: String) async throws(StorageError)

    /// Copies the object `source` to `destination` inside the backend (S3: server-side), replacing what was there.
    @discardableResult
    func copy(_ source: ObjectKey, to destination: ObjectKey) async throws(StorageError) -> StoredObject

    /// Removes the object; removing one that is not there is not an error.
    func delete(_ key: ObjectKey) async throws(StorageError)

    /// Every object whose key starts with `prefix`, in key order.
    func list(prefix: String) async throws(StorageError) -> [StoredObject]

    /// A URL anyone holding it may GET the object from until `expires`, or nil where the backend has none (`file`).
    func presignedURL(_ key: ObjectKey, expires: Duration) -> URL?
}

extension ObjectStorage {
    /// Removes every object under `prefix` and says how many.
    @discardableResult
    public func deleteAll(prefix: String) async throws(StorageError) -> Int {
        let objects = try await list(prefix: prefix)
        for object in objects { try await delete(object.key) }
        return objects.count
    }
}

/// A streamed upload in progress.
public protocol ObjectUpload: Sendable {
    /// Appends bytes; the backend sends them on as parts fill, so memory stays bounded.
    func write(_ bytes: ByteBuffer) async throws(StorageError)
    /// Makes the object visible under its key, whole.
    func complete() async throws(StorageError) -> StoredObject
    /// Drops what was written; nothing stays behind.
    func abort() async
}

/// An object's bytes as they arrive.
public struct ObjectBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    /// The size of the whole object, and of the bytes this body carries (the range's length).
    public let object: StoredObject
    public let length: Int64
    let stream: AsyncThrowingStream<ByteBuffer, any Error>

    public init(object: StoredObject, length: Int64, stream: AsyncThrowingStream<ByteBuffer, any Error>) {
        self.object = object
        self.length = length
        self.stream = stream
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }

    /// All of it, for small objects and tests.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var all = ByteBuffer()
        for try await var chunk in self {
            guard all.readableBytes + chunk.readableBytes <= limit else {
                throw StorageError.unavailable("object larger than \(limit) bytes")
            }
            all.writeBuffer(&chunk)
        }
        return all
    }
}
