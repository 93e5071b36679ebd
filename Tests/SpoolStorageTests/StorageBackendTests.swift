import Foundation
import SpoolStorage
import StorageConformance
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
        #expect(throws: StorageError.containerMissing("/nonexistent/spool-root")) { try storage.checkAvailable() }
    }
}
