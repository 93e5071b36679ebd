import Foundation
import NIOCore
import Synchronization

/// Objects in memory, for tests of the code that uses storage; passes the same conformance suite as `file` and `s3`.
public final class InMemoryObjectStorage: ObjectStorage {
    let objects = Mutex<[ObjectKey: (bytes: ByteBuffer, object: StoredObject)]>([:])
    let versions = Atomic<Int>(0)

    public init() {}

    public var name: String { "memory" }
    public var localRoot: String? { nil }
    public func checkAvailable() async throws(StorageError) {}

    func store(_ key: ObjectKey, _ bytes: ByteBuffer) -> StoredObject {
        let object = StoredObject(
            key: key, size: Int64(bytes.readableBytes), etag: "v\(versions.add(1, ordering: .relaxed).newValue)",
            lastModified: Date())
        objects.withLock { $0[key] = (bytes, object) }
        return object
    }

    @discardableResult
    public func put(_ key: ObjectKey, fromFile path: String, contentType: String?) async throws(StorageError)
        -> StoredObject
    {
        guard let data = FileManager.default.contents(atPath: path) else { throw .notFound(key: path) }
        return store(key, ByteBuffer(bytes: data))
    }

    public func beginUpload(_ key: ObjectKey, contentType: String?) async throws(StorageError) -> any ObjectUpload {
        InMemoryUpload(storage: self, key: key)
    }

    public func head(_ key: ObjectKey) async throws(StorageError) -> StoredObject? {
        objects.withLock { $0[key]?.object }
    }

    public func read(_ key: ObjectKey, range: ClosedRange<Int64>?) async throws(StorageError) -> ObjectBody {
        guard let (bytes, object) = objects.withLock({ $0[key] }) else { throw .notFound(key: key.rawValue) }
        var slice = bytes
        if let range {
            guard range.lowerBound >= 0, range.upperBound < object.size else {
                throw .rangeNotSatisfiable(key: key.rawValue, size: object.size)
            }
            slice = bytes.getSlice(at: bytes.readerIndex + Int(range.lowerBound), length: range.count)!
        }
        let length = Int64(slice.readableBytes)
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        // In chunks, as the other backends deliver them.
        while let chunk = slice.readSlice(length: min(slice.readableBytes, 1 << 20)), chunk.readableBytes > 0 {
            continuation.yield(chunk)
        }
        continuation.finish()
        return ObjectBody(object: object, length: length, stream: stream)
    }

    public func download(_ key: ObjectKey, toFile path: String) async throws(StorageError) {
        guard let (bytes, _) = objects.withLock({ $0[key] }) else { throw .notFound(key: key.rawValue) }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes.readableBytesView)) else {
            throw .unavailable("cannot write \(path)")
        }
    }

    @discardableResult
    public func copy(_ source: ObjectKey, to destination: ObjectKey) async throws(StorageError) -> StoredObject {
        guard let (bytes, _) = objects.withLock({ $0[source] }) else { throw .notFound(key: source.rawValue) }
        return store(destination, bytes)
    }

    /// How many objects it holds, for tests that check nothing was left behind.
    public var count: Int { objects.withLock { $0.count } }

    public func delete(_ key: ObjectKey) async throws(StorageError) {
        _ = objects.withLock { $0.removeValue(forKey: key) }
    }

    public func list(prefix: String) async throws(StorageError) -> [StoredObject] {
        objects.withLock { $0.values.map(\.object) }.filter { $0.key.rawValue.hasPrefix(prefix) }.sorted {
            $0.key < $1.key
        }
    }

    public func presignedURL(_ key: ObjectKey, expires: Duration) -> URL? { nil }
}

final class InMemoryUpload: ObjectUpload {
    let storage: InMemoryObjectStorage
    let key: ObjectKey
    let buffer = Mutex<ByteBuffer?>(ByteBuffer())

    init(storage: InMemoryObjectStorage, key: ObjectKey) {
        self.storage = storage
        self.key = key
    }

    func write(_ bytes: ByteBuffer) async throws(StorageError) {
        let written: Bool = buffer.withLock {
            guard $0 != nil else { return false }
            var bytes = bytes
            $0!.writeBuffer(&bytes)
            return true
        }
        guard written else { throw .unavailable("the upload of \(key) was closed") }
    }

    func complete() async throws(StorageError) -> StoredObject {
        guard
            let bytes = buffer.withLock({ value in
                defer { value = nil }; return value
            })
        else {
            throw .unavailable("the upload of \(key) was aborted")
        }
        return storage.store(key, bytes)
    }

    func abort() async { buffer.withLock { $0 = nil } }
}
