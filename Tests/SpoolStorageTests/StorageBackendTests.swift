import Foundation
import S3Client
import SpoolStorage
import StorageConformance
import TestSupport
import Testing

/// The conformance suite on the directory backend and the in-memory one (the S3 backend runs it against SeaweedFS).
@Suite struct StorageBackendTests {
    func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spool-storage-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path + "/files", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path + "/root", withIntermediateDirectories: true)
        return path
    }

    @Test(arguments: StorageConformance.Check.allCases)
    func file(_ check: StorageConformance.Check) async throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let storage = FileObjectStorage(root: scratch + "/root")
        try await StorageConformance.run(check, on: storage, scratch: scratch + "/files")
        // Nothing in flight is left behind in the temporary directory.
        #expect((try? FileManager.default.contentsOfDirectory(atPath: scratch + "/root/.spool-tmp"))?.isEmpty ?? true)
    }

    @Test(arguments: StorageConformance.Check.allCases)
    func memory(_ check: StorageConformance.Check) async throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try await StorageConformance.run(check, on: InMemoryObjectStorage(), scratch: scratch + "/files")
    }

    @Test func aMissingRootIsNamed() async throws {
        let storage = FileObjectStorage(root: "/nonexistent/spool-root")
        await #expect(throws: StorageError.containerMissing("/nonexistent/spool-root")) {
            try await storage.checkAvailable()
        }
    }
}

/// The same suite on the S3 backend against a real SeaweedFS (one server for every check; each check has its own
/// prefix), plus what only S3 has: the bucket check at start-up, presigned URLs, and no part left by an abort.
@Suite(.serialized) struct S3StorageBackendTests {
    @Test func theConformanceSuiteOnARealS3Server() async throws {
        let server = try SeaweedFSServer()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = S3Client(
            endpoint: server.endpoint, pathStyle: true,
            credentials: S3Credentials(
                accessKeyID: SeaweedFSServer.accessKey, secretAccessKey: SeaweedFSServer.secretKey))
        var created = false
        for _ in 0..<50 where !created {
            do {
                try await client.createBucket("spool-media")
                created = true
            } catch {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let storage = S3ObjectStorage(client: client, bucket: "spool-media", prefix: "deployment-a")
        try await storage.checkAvailable()
        await #expect(throws: StorageError.containerMissing("s3://absent-bucket")) {
            try await S3ObjectStorage(client: client, bucket: "absent-bucket").checkAvailable()
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("spool-s3-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for check in StorageConformance.Check.allCases {
            try await StorageConformance.run(check, on: storage, scratch: scratch)
        }
        // Every key lives under the prefix, and an aborted streamed upload left no multipart upload behind.
        #expect(
            try await client.listAllObjects(bucket: "spool-media", prefix: "").allSatisfy {
                $0.key.hasPrefix("deployment-a/")
            })
        #expect(try await client.listMultipartUploads(bucket: "spool-media").isEmpty)
        #expect(storage.name == "s3://spool-media/deployment-a")
        #expect(
            storage.presignedURL(try ObjectKey("x/y"), expires: .seconds(60))?.query?.contains("X-Amz-Signature")
                == true)
    }
}
