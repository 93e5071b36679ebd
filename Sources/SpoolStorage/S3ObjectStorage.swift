import Foundation
import NIOCore
import S3Client

/// Objects in an S3-compatible bucket (`--storage s3://BUCKET[/PREFIX]`): AWS, MinIO, Ceph, SeaweedFS. Keys go under
/// the prefix; uploads of unknown length are multipart (parts of 8 MiB, two in flight), so memory stays bounded.
public struct S3ObjectStorage: ObjectStorage {
    public let client: S3Client
    public let bucket: String
    /// No leading or trailing slash; empty for the bucket's root.
    public let prefix: String
    /// S3's minimum part size (but the last) is 5 MiB; 8 MiB is the common client default.
    public static let partSize = 8 << 20

    public init(client: S3Client, bucket: String, prefix: String = "") {
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    public var name: String { "s3://" + bucket + (prefix.isEmpty ? "" : "/" + prefix) }
    public var localRoot: String? { nil }

    func s3Key(_ key: ObjectKey) -> String { prefix.isEmpty ? key.rawValue : prefix + "/" + key.rawValue }
    func s3Prefix(_ text: String) -> String { prefix.isEmpty ? text : prefix + "/" + text }

    func object(_ key: ObjectKey, _ info: S3ObjectInfo) -> StoredObject {
        StoredObject(key: key, size: info.size, etag: info.etag, lastModified: info.lastModified)
    }

    /// Fails unless the bucket exists and the credentials may use it: what start-up and `/ready` ask.
    public func checkAvailable() async throws(StorageError) {
        do {
            try await client.headBucket(bucket)
        } catch {
            throw Self.storageError(error, key: bucket)
        }
    }

    static func storageError(_ error: S3Error, key: String) -> StorageError {
        switch error {
        case .noSuchKey: .notFound(key: key)
        case .noSuchBucket(let bucket): .containerMissing("s3://" + bucket)
        case .accessDenied, .invalidAccessKeyID, .signatureDoesNotMatch, .credentials: .accessDenied(error.description)
        case .invalidRange: .rangeNotSatisfiable(key: key, size: -1)
        case .badDigest: .integrity(key: key)
        default: .unavailable(error.description)
        }
    }

    @discardableResult
    public func put(_ key: ObjectKey, fromFile path: String, contentType: String?) async throws(StorageError)
        -> StoredObject
    {
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(key: path) }
        do {
            try await client.putObject(bucket: bucket, key: s3Key(key), file: path, contentType: contentType)
            guard let info = try await client.headObject(bucket: bucket, key: s3Key(key)) else {
                throw StorageError.unavailable("\(key) vanished as it was stored")
            }
            return object(key, info)
        } catch let error as S3Error {
            throw Self.storageError(error, key: key.rawValue)
        } catch {
            throw (error as? StorageError) ?? .unavailable("\(error)")
        }
    }

    public func beginUpload(_ key: ObjectKey, contentType: String?) async throws(StorageError) -> any ObjectUpload {
        S3StreamedUpload(storage: self, key: key, contentType: contentType)
    }

    public func head(_ key: ObjectKey) async throws(StorageError) -> StoredObject? {
        do {
            return try await client.headObject(bucket: bucket, key: s3Key(key)).map { object(key, $0) }
        } catch {
            throw Self.storageError(error, key: key.rawValue)
        }
    }

    public func read(_ key: ObjectKey, range: ClosedRange<Int64>?) async throws(StorageError) -> ObjectBody {
        if let range, range.lowerBound < 0 { throw .rangeNotSatisfiable(key: key.rawValue, size: -1) }
        do {
            let (info, length, body) = try await client.getObject(bucket: bucket, key: s3Key(key), range: range)
            if let range, range.upperBound >= info.size {
                throw StorageError.rangeNotSatisfiable(key: key.rawValue, size: info.size)
            }
            return ObjectBody(object: object(key, info), length: length, stream: body)
        } catch let error as S3Error {
            if case .invalidRange = error { throw .rangeNotSatisfiable(key: key.rawValue, size: -1) }
            throw Self.storageError(error, key: key.rawValue)
        } catch {
            throw (error as? StorageError) ?? .unavailable("\(error)")
        }
    }

    public func download(_ key: ObjectKey, toFile path: String) async throws(StorageError) {
        do {
            try await client.download(bucket: bucket, key: s3Key(key), to: path)
        } catch {
            throw Self.storageError(error, key: key.rawValue)
        }
    }

    @discardableResult
    public func copy(_ source: ObjectKey, to destination: ObjectKey) async throws(StorageError) -> StoredObject {
        do throws(S3Error) {
            try await client.copyObject(bucket: bucket, from: s3Key(source), to: s3Key(destination))
            guard let info = try await client.headObject(bucket: bucket, key: s3Key(destination)) else {
                throw S3Error.noSuchKey(destination.rawValue)
            }
            return object(destination, info)
        } catch {
            throw Self.storageError(error, key: source.rawValue)
        }
    }

    public func delete(_ key: ObjectKey) async throws(StorageError) {
        do {
            try await client.deleteObject(bucket: bucket, key: s3Key(key))
        } catch .noSuchKey {
            return
        } catch {
            throw Self.storageError(error, key: key.rawValue)
        }
    }

    public func list(prefix text: String) async throws(StorageError) -> [StoredObject] {
        do {
            let strip = prefix.isEmpty ? 0 : prefix.count + 1
            return try await client.listAllObjects(bucket: bucket, prefix: s3Prefix(text)).compactMap { info in
                guard let key = try? ObjectKey(String(info.key.dropFirst(strip))) else { return nil }
                return object(key, info)
            }.sorted { $0.key < $1.key }
        } catch {
            throw Self.storageError(error, key: text)
        }
    }

    public func presignedURL(_ key: ObjectKey, expires: Duration) -> URL? {
        client.presignedGET(bucket: bucket, key: s3Key(key), expires: Int(expires.components.seconds))
    }
}

/// A streamed upload to S3: bytes gather into 8 MiB parts sent as they fill (at most two in flight); a body that
/// never fills one part is sent as one plain PUT. `abort()` aborts the multipart upload, so no part stays behind.
actor S3StreamedUpload: ObjectUpload {
    let storage: S3ObjectStorage
    let key: ObjectKey
    let contentType: String?
    var pending = ByteBuffer()
    var uploadID: String?
    var inFlight: [Task<(Int, String), any Error>] = []
    var finished: [(Int, String)] = []
    var nextPart = 1
    var closed = false

    init(storage: S3ObjectStorage, key: ObjectKey, contentType: String?) {
        self.storage = storage
        self.key = key
        self.contentType = contentType
    }

    var s3Key: String { storage.s3Key(key) }

    func write(_ bytes: ByteBuffer) async throws(StorageError) {
        guard !closed else { throw .unavailable("the upload of \(key) was closed") }
        var bytes = bytes
        pending.writeBuffer(&bytes)
        while pending.readableBytes >= S3ObjectStorage.partSize {
            let part = pending.readSlice(length: S3ObjectStorage.partSize)!
            try await send(part)
        }
        pending.discardReadBytes()
    }

    func send(_ part: ByteBuffer) async throws(StorageError) {
        do {
            if uploadID == nil {
                uploadID = try await storage.client.createMultipartUpload(
                    bucket: storage.bucket, key: s3Key, contentType: contentType)
            }
            // Two parts in flight at most: wait for the oldest before starting a third.
            if inFlight.count >= 2 { finished.append(try await inFlight.removeFirst().value) }
            let (client, bucket, key, id, number) = (storage.client, storage.bucket, s3Key, uploadID!, nextPart)
            nextPart += 1
            inFlight.append(
                Task {
                    (
                        number,
                        try await client.uploadPart(
                            bucket: bucket, key: key, uploadID: id, partNumber: number, bytes: part)
                    )
                })
        } catch let error as S3Error {
            throw S3ObjectStorage.storageError(error, key: key.rawValue)
        } catch {
            throw (error as? StorageError) ?? .unavailable("\(error)")
        }
    }

    func complete() async throws(StorageError) -> StoredObject {
        guard !closed else { throw .unavailable("the upload of \(key) was closed") }
        closed = true
        do {
            guard let uploadID else {
                // Smaller than one part: one PUT.
                try await storage.client.putObject(
                    bucket: storage.bucket, key: s3Key, bytes: pending, contentType: contentType)
                return try await describe()
            }
            if pending.readableBytes > 0 || nextPart == 1 {
                closed = false
                try await send(pending)
                closed = true
                pending.clear()
            }
            for task in inFlight { finished.append(try await task.value) }
            inFlight = []
            try await storage.client.completeMultipartUpload(
                bucket: storage.bucket, key: s3Key, uploadID: uploadID, parts: finished)
            return try await describe()
        } catch {
            await abort()
            if let error = error as? S3Error { throw S3ObjectStorage.storageError(error, key: key.rawValue) }
            throw (error as? StorageError) ?? .unavailable("\(error)")
        }
    }

    func describe() async throws -> StoredObject {
        guard let info = try await storage.client.headObject(bucket: storage.bucket, key: s3Key) else {
            throw StorageError.unavailable("\(key) vanished as it was stored")
        }
        return storage.object(key, info)
    }

    func abort() async {
        closed = true
        for task in inFlight { _ = try? await task.value }
        inFlight = []
        pending.clear()
        if let uploadID {
            try? await storage.client.abortMultipartUpload(bucket: storage.bucket, key: s3Key, uploadID: uploadID)
            self.uploadID = nil
        }
    }
}
