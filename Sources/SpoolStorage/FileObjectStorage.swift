import Foundation
import NIOCore
import NIOFoundationCompat

/// Objects as files under a directory (`--storage file:///PATH`): one machine, or a volume every process shares.
/// Writes go to a temporary file under the root and are renamed into place, so a reader never sees part of one.
public struct FileObjectStorage: ObjectStorage {
    public let root: String
    /// In-flight writes, on the same filesystem as the objects so the final rename is atomic; never listed.
    static let temporaryDirectoryName = ".spool-tmp"
    static let chunkSize = 256 * 1024

    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    public var name: String { "file://" + root }
    public var localRoot: String? { root }

    func path(_ key: ObjectKey) -> String { root + "/" + key.rawValue }
    var temporaryDirectory: String { root + "/" + Self.temporaryDirectoryName }

    /// Fails with `containerMissing` unless the root exists; creates the temporary directory.
    public func checkAvailable() async throws(StorageError) { try checkWritable() }

    func checkWritable() throws(StorageError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .containerMissing(root)
        }
        do {
            try FileManager.default.createDirectory(atPath: temporaryDirectory, withIntermediateDirectories: true)
        } catch {
            throw .accessDenied("cannot write under \(root): \(error.localizedDescription)")
        }
    }

    func temporaryPath() throws(StorageError) -> String {
        try checkWritable()
        return temporaryDirectory + "/" + UUID().uuidString
    }

    func moveIntoPlace(_ temporary: String, _ key: ObjectKey) throws(StorageError) -> StoredObject {
        let target = path(key)
        do {
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .unavailable("cannot create the directory of \(key): \(error.localizedDescription)")
        }
        guard Foundation.rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .unavailable("cannot store \(key): \(reason)")
        }
        guard let object = describe(key) else { throw .unavailable("\(key) vanished as it was stored") }
        return object
    }

    func describe(_ key: ObjectKey) -> StoredObject? {
        var info = stat()
        guard stat(path(key), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = Date(
            timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1_000_000_000)
        return StoredObject(
            key: key, size: Int64(info.st_size),
            etag: "\(info.st_size)-\(info.st_mtim.tv_sec)\(info.st_mtim.tv_nsec)-\(info.st_ino)",
            lastModified: modified)
    }

    @discardableResult
    public func put(_ key: ObjectKey, fromFile source: String, contentType: String?) async throws(StorageError)
        -> StoredObject
    {
        let temporary = try temporaryPath()
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            unlink(temporary)
            if !FileManager.default.fileExists(atPath: source) { throw .notFound(key: source) }
            throw .unavailable("cannot copy \(source): \(error.localizedDescription)")
        }
        return try moveIntoPlace(temporary, key)
    }

    public func beginUpload(_ key: ObjectKey, contentType: String?) async throws(StorageError) -> any ObjectUpload {
        let temporary = try temporaryPath()
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else { throw .unavailable("cannot create \(temporary)") }
        return FileUpload(storage: self, key: key, temporary: temporary, handle: handle)
    }

    public func head(_ key: ObjectKey) async throws(StorageError) -> StoredObject? { describe(key) }

    public func read(_ key: ObjectKey, range: ClosedRange<Int64>?) async throws(StorageError) -> ObjectBody {
        guard let object = describe(key), let handle = FileHandle(forReadingAtPath: path(key)) else {
            throw .notFound(key: key.rawValue)
        }
        let bounds = range ?? 0...max(object.size - 1, -1)
        guard object.size == 0 && range == nil || (bounds.lowerBound >= 0 && bounds.upperBound < object.size) else {
            try? handle.close()
            throw .rangeNotSatisfiable(key: key.rawValue, size: object.size)
        }
        let length = object.size == 0 ? 0 : bounds.upperBound - bounds.lowerBound + 1
        let stream = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            let task = Task.detached {
                defer { try? handle.close() }
                do {
                    try handle.seek(toOffset: UInt64(max(bounds.lowerBound, 0)))
                    var left = length
                    while left > 0 {
                        try Task.checkCancellation()
                        guard let data = try handle.read(upToCount: Int(min(Int64(Self.chunkSize), left))),
                            !data.isEmpty
                        else { throw StorageError.unavailable("\(key) shrank while it was read") }
                        left -= Int64(data.count)
                        continuation.yield(ByteBuffer(bytes: data))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return ObjectBody(object: object, length: length, stream: stream)
    }

    public func download(_ key: ObjectKey, toFile destination: String) async throws(StorageError) {
        guard describe(key) != nil else { throw .notFound(key: key.rawValue) }
        let temporary = destination + ".part-" + UUID().uuidString.prefix(8)
        do {
            try FileManager.default.copyItem(atPath: path(key), toPath: temporary)
        } catch {
            unlink(temporary)
            throw .unavailable("cannot copy \(key): \(error.localizedDescription)")
        }
        guard Foundation.rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw .unavailable("cannot write \(destination): \(String(cString: strerror(errno)))")
        }
    }

    @discardableResult
    public func copy(_ source: ObjectKey, to destination: ObjectKey) async throws(StorageError) -> StoredObject {
        guard describe(source) != nil else { throw .notFound(key: source.rawValue) }
        return try await put(destination, fromFile: path(source), contentType: nil)
    }

    public func delete(_ key: ObjectKey) async throws(StorageError) {
        let target = path(key)
        guard unlink(target) == 0 || errno == ENOENT else {
            throw .unavailable("cannot remove \(key): \(String(cString: strerror(errno)))")
        }
        // Directories that held only this object go too, up to the root, so deleting a prefix leaves no skeleton.
        var directory = (target as NSString).deletingLastPathComponent
        while directory.count > root.count, rmdir(directory) == 0 {
            directory = (directory as NSString).deletingLastPathComponent
        }
    }

    public func list(prefix: String) async throws(StorageError) -> [StoredObject] {
        // Walk only the deepest directory the prefix names in full, then filter by the whole prefix.
        let directoryPart = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        let start = directoryPart.isEmpty ? root : root + "/" + directoryPart
        guard let walker = FileManager.default.enumerator(atPath: start) else { return [] }
        var found: [StoredObject] = []
        while let relative = walker.nextObject() as? String {
            let keyText = directoryPart.isEmpty ? relative : directoryPart + "/" + relative
            if keyText.hasPrefix(Self.temporaryDirectoryName) {
                walker.skipDescendants()
                continue
            }
            guard keyText.hasPrefix(prefix), let key = try? ObjectKey(keyText), let object = describe(key) else {
                continue
            }
            found.append(object)
        }
        return found.sorted { $0.key < $1.key }
    }

    public func presignedURL(_ key: ObjectKey, expires: Duration) -> URL? { nil }
}

/// A streamed write to a temporary file, renamed into place on `complete()`.
final class FileUpload: ObjectUpload, @unchecked Sendable {
    // FileHandle is not Sendable; an upload is written by one task at a time (the protocol's contract), and the lock
    // guards the handle against a concurrent abort.
    let storage: FileObjectStorage
    let key: ObjectKey
    let temporary: String
    let lock = NSLock()
    var handle: FileHandle?

    init(storage: FileObjectStorage, key: ObjectKey, temporary: String, handle: FileHandle) {
        self.storage = storage
        self.key = key
        self.temporary = temporary
        self.handle = handle
    }

    func write(_ bytes: ByteBuffer) async throws(StorageError) {
        do {
            try lock.withLock {
                guard let handle else { throw StorageError.unavailable("the upload of \(key) was closed") }
                try handle.write(contentsOf: bytes.readableBytesView)
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw .unavailable("cannot write \(key): \(error.localizedDescription)")
        }
    }

    func complete() async throws(StorageError) -> StoredObject {
        let closed: Bool = lock.withLock {
            guard let handle else { return false }
            try? handle.synchronize()
            try? handle.close()
            self.handle = nil
            return true
        }
        guard closed else { throw .unavailable("the upload of \(key) was aborted") }
        return try storage.moveIntoPlace(temporary, key)
    }

    func abort() async {
        lock.withLock {
            try? handle?.close()
            handle = nil
        }
        unlink(temporary)
    }
}
