import Crypto
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import S3Client

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The client against a real S3 server (SeaweedFS, which checks SigV4): every operation, ranges, paging, multipart
/// with parallel parts, presigned URLs, and the typed errors of a wrong secret, a missing bucket and a missing key.
@Suite(.serialized) struct S3ClientSeaweedFSTests {
    func withServer(_ body: (SeaweedFSServer, S3Client) async throws -> Void) async throws {
        let server = try SeaweedFSServer()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = S3Client(
            endpoint: server.endpoint, pathStyle: true,
            credentials: S3Credentials(
                accessKeyID: SeaweedFSServer.accessKey, secretAccessKey: SeaweedFSServer.secretKey),
            retry: .immediate)
        // The S3 gateway can answer before the filer under it is ready: retry bucket creation briefly.
        var created = false
        for _ in 0..<50 where !created {
            do {
                try await client.createBucket("media")
                created = true
            } catch {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        #expect(created, "bucket creation: \(server.log.suffix(1000))")
        try await body(server, client)
    }

    func file(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("s3-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func collect(_ body: AsyncThrowingStream<ByteBuffer, any Error>) async throws -> [UInt8] {
        var all: [UInt8] = []
        for try await chunk in body { all += chunk.readableBytesView }
        return all
    }

    @Test func objectsRoundTripWithRangesListingCopiesAndPresignedURLs() async throws {
        try await withServer { server, client in
            try await client.headBucket("media")
            let bytes = (0..<3000).map { UInt8($0 % 251) }
            let path = try file(bytes)
            defer { try? FileManager.default.removeItem(atPath: path) }
            try await client.putObject(bucket: "media", key: "a/clip one.mp4", file: path, contentType: "video/mp4")
            let head = try #require(try await client.headObject(bucket: "media", key: "a/clip one.mp4"))
            #expect(head.size == 3000)
            #expect(try await client.headObject(bucket: "media", key: "a/absent") == nil)

            let whole = try await client.getObject(bucket: "media", key: "a/clip one.mp4")
            #expect(try await collect(whole.body) == bytes)
            let part = try await client.getObject(bucket: "media", key: "a/clip one.mp4", range: 100...199)
            #expect(part.length == 100 && part.info.size == 3000)
            #expect(try await collect(part.body) == Array(bytes[100...199]))

            for index in 0..<5 {
                try await client.putObject(bucket: "media", key: "list/\(index)", bytes: ByteBuffer(string: "\(index)"))
            }
            let first = try await client.listObjects(bucket: "media", prefix: "list/", maxKeys: 2)
            #expect(first.objects.map(\.key) == ["list/0", "list/1"] && first.continuationToken != nil)
            let all = try await client.listAllObjects(bucket: "media", prefix: "list/")
            #expect(all.map(\.key) == (0..<5).map { "list/\($0)" })

            try await client.copyObject(bucket: "media", from: "a/clip one.mp4", to: "b/copy.mp4")
            #expect(try await client.headObject(bucket: "media", key: "b/copy.mp4")?.size == 3000)
            try await client.deleteObject(bucket: "media", key: "a/clip one.mp4")
            #expect(try await client.headObject(bucket: "media", key: "a/clip one.mp4") == nil)

            // A presigned URL works with a plain HTTP client and no credentials.
            let url = client.presignedGET(bucket: "media", key: "b/copy.mp4", expires: 300)
            let (data, response) = try await URLSession.shared.data(from: url)
            #expect((response as? HTTPURLResponse)?.statusCode == 200 && Array(data) == bytes)

            let target = path + ".down"
            try await client.download(bucket: "media", key: "b/copy.mp4", to: target)
            #expect(FileManager.default.contents(atPath: target) == Data(bytes))
            try? FileManager.default.removeItem(atPath: target)
        }
    }

    /// Every body goes with its `Content-MD5`; bytes that do not match it are refused as `badDigest` and stored
    /// nowhere, for a whole object and for a part.
    @Test func aBodyThatDoesNotMatchItsDigestIsRefused() async throws {
        try await withServer { _, client in
            let body = ByteBuffer(string: "the bytes that were sent")
            let otherDigest = S3Client.contentMD5(Array("other bytes".utf8))
            do {
                _ = try await client.send(
                    .PUT, bucket: "media", key: "damaged", headers: [("content-md5", otherDigest)], body: .bytes(body),
                    resource: "damaged")
                Issue.record("a body with the wrong Content-MD5 was stored")
            } catch {
                if case S3Error.badDigest = error {} else { Issue.record("expected badDigest, got \(error)") }
            }
            #expect(try await client.headObject(bucket: "media", key: "damaged") == nil)
            // The digest the client computes itself matches what S3 computes.
            try await client.putObject(bucket: "media", key: "whole", bytes: body)
            #expect(try await client.headObject(bucket: "media", key: "whole")?.size == Int64(body.readableBytes))
        }
    }

    @Test func multipartUploadsCompleteOrLeaveNothing() async throws {
        try await withServer { _, client in
            // 20 MiB in three parts of at least 8 MiB but the last, sent in parallel, read back by digest.
            let partSize = 8 << 20
            let total = 20 << 20
            var hasher = SHA256()
            let id = try await client.createMultipartUpload(bucket: "media", key: "big.bin")
            let parts = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for number in 1...3 {
                    let size = min(partSize, total - (number - 1) * partSize)
                    var buffer = ByteBuffer()
                    buffer.writeRepeatingByte(UInt8(number), count: size)
                    hasher.update(data: buffer.readableBytesView)
                    group.addTask {
                        (
                            number,
                            try await client.uploadPart(
                                bucket: "media", key: "big.bin", uploadID: id, partNumber: number, bytes: buffer)
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await client.completeMultipartUpload(bucket: "media", key: "big.bin", uploadID: id, parts: parts)
            let read = try await client.getObject(bucket: "media", key: "big.bin")
            var readBack = SHA256()
            for try await chunk in read.body { readBack.update(data: chunk.readableBytesView) }
            #expect(readBack.finalize() == hasher.finalize() && read.info.size == Int64(total))

            let aborted = try await client.createMultipartUpload(bucket: "media", key: "gone.bin")
            _ = try await client.uploadPart(
                bucket: "media", key: "gone.bin", uploadID: aborted, partNumber: 1,
                bytes: ByteBuffer(repeating: 1, count: 1000))
            #expect(try await client.listMultipartUploads(bucket: "media").contains { $0.1 == aborted })
            try await client.abortMultipartUpload(bucket: "media", key: "gone.bin", uploadID: aborted)
            #expect(try await client.listMultipartUploads(bucket: "media").isEmpty, "no part left behind")
            #expect(try await client.headObject(bucket: "media", key: "gone.bin") == nil)
        }
    }

    @Test func failuresAreTypedErrors() async throws {
        try await withServer { server, client in
            await #expect(throws: S3Error.noSuchBucket("nope-bucket")) { try await client.headBucket("nope-bucket") }
            await #expect(throws: S3Error.self) {
                _ = try await client.getObject(bucket: "media", key: "missing")
            }
            do throws(S3Error) {
                _ = try await client.getObject(bucket: "media", key: "missing")
            } catch {
                #expect(error == .noSuchKey("missing"))
            }
            let wrong = S3Client(
                endpoint: server.endpoint, pathStyle: true,
                credentials: S3Credentials(accessKeyID: SeaweedFSServer.accessKey, secretAccessKey: "wrong-secret"),
                retry: .immediate)
            do throws(S3Error) {
                try await wrong.putObject(bucket: "media", key: "x", bytes: ByteBuffer(string: "x"))
                Issue.record("a wrong secret was accepted")
            } catch {
                #expect(error == .signatureDoesNotMatch(error.messageText) || error == .accessDenied(error.messageText))
            }
            // Nothing listens here: a connection error, retried then reported as such.
            let port = try FreePort.find()
            let nowhere = S3Client(
                endpoint: URL(string: "http://127.0.0.1:\(port)"), pathStyle: true,
                credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"), retry: .immediate)
            do throws(S3Error) {
                try await nowhere.headBucket("media")
                Issue.record("no server, yet it succeeded")
            } catch {
                #expect(error.isRetryable)
                if case .connection = error {} else { Issue.record("expected a connection error, got \(error)") }
            }
        }
    }
}

extension S3Error {
    var messageText: String {
        switch self {
        case .signatureDoesNotMatch(let message), .accessDenied(let message): message
        default: ""
        }
    }
}
