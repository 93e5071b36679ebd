/// Reads `s3://BUCKET/KEY` inputs: any bucket the storage's credentials reach (the policy decides which may be
/// named). Only an S3 storage has it.
public protocol ObjectInputReading: Sendable {
    func download(bucket: String, key: String, toFile path: String) async throws(StorageError)
}

extension S3ObjectStorage: ObjectInputReading {
    public func download(bucket: String, key: String, toFile path: String) async throws(StorageError) {
        do {
            try await client.download(bucket: bucket, key: key, to: path)
        } catch {
            throw Self.storageError(error, key: "s3://\(bucket)/\(key)")
        }
    }
}
