import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import SpoolStorage
import Testing

/// Behaviour every `ObjectStorage` must show; the file, in-memory and S3 (a real SeaweedFS) backends run the same
/// checks. A storage under test must be empty under the prefix each check uses (each uses its own).
public enum StorageConformance {
    public enum Check: String, CaseIterable, Sendable {
        case putHeadReadDelete
        case putReplacesWhole
        case rangesReadExactBytes
        case rangeOutsideTheObjectIsRefused
        case missingObjectsAreNotFound
        case streamedUploadIsInvisibleUntilComplete
        case abortedUploadLeavesNothing
        case largeStreamedUploadRoundTrips
        case listIsByPrefixInKeyOrder
        case deleteAllUnderAPrefix
        case downloadWritesTheWholeFile
        case copyMakesAnIndependentObject
        case badKeysAreRefused
    }

    public static func run(_ check: Check, on storage: any ObjectStorage, scratch: String) async throws {
        let prefix = "conformance/\(check.rawValue)"
        func key(_ name: String) -> ObjectKey { ObjectKey(checked: prefix + "/" + name) }
        func file(_ name: String, bytes: [UInt8]) throws -> String {
            let path = scratch + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        func read(_ key: ObjectKey, _ range: ClosedRange<Int64>? = nil) async throws -> [UInt8] {
            Array(try await storage.read(key, range: range).collect(upTo: 64 << 20).readableBytesView)
        }
        let hello = Array("hello, storage".utf8)

        switch check {
        case .putHeadReadDelete:
            let stored = try await storage.put(key("a.txt"), fromFile: try file("a", bytes: hello), contentType: nil)
            #expect(stored.size == Int64(hello.count))
            let head = try await storage.head(key("a.txt"))
            #expect(head?.size == Int64(hello.count) && head?.etag == stored.etag)
            #expect(try await read(key("a.txt")) == hello)
            try await storage.delete(key("a.txt"))
            #expect(try await storage.head(key("a.txt")) == nil)
            // Deleting what is not there is not an error.
            try await storage.delete(key("a.txt"))

        case .putReplacesWhole:
            try await storage.put(
                key("b"), fromFile: try file("b1", bytes: Array(repeating: 1, count: 1000)), contentType: nil)
            let first = try await storage.head(key("b"))
            try await storage.put(key("b"), fromFile: try file("b2", bytes: [2, 2, 2]), contentType: nil)
            #expect(try await read(key("b")) == [2, 2, 2])
            #expect(try await storage.head(key("b"))?.etag != first?.etag)

        case .rangesReadExactBytes:
            let bytes = (0..<5000).map { UInt8($0 % 251) }
            try await storage.put(key("r"), fromFile: try file("r", bytes: bytes), contentType: nil)
            #expect(try await read(key("r"), 0...0) == [bytes[0]])
            #expect(try await read(key("r"), 100...4999) == Array(bytes[100...4999]))
            let body = try await storage.read(key("r"), range: 10...19)
            #expect(body.length == 10 && body.object.size == 5000)

        case .rangeOutsideTheObjectIsRefused:
            try await storage.put(key("short"), fromFile: try file("short", bytes: hello), contentType: nil)
            await #expect(throws: StorageError.self) { _ = try await read(key("short"), 100...200) }

        case .missingObjectsAreNotFound:
            #expect(try await storage.head(key("absent")) == nil)
            await #expect(throws: StorageError.notFound(key: key("absent").rawValue)) {
                _ = try await storage.read(key("absent"), range: nil)
            }
            await #expect(throws: StorageError.notFound(key: key("absent").rawValue)) {
                try await storage.download(key("absent"), toFile: scratch + "/absent")
            }

        case .streamedUploadIsInvisibleUntilComplete:
            let upload = try await storage.beginUpload(key("streamed"), contentType: "video/mp4")
            try await upload.write(ByteBuffer(bytes: hello))
            #expect(try await storage.head(key("streamed")) == nil, "nothing visible before complete()")
            try await upload.write(ByteBuffer(bytes: hello))
            let stored = try await upload.complete()
            #expect(stored.size == Int64(hello.count * 2))
            #expect(try await read(key("streamed")) == hello + hello)

        case .abortedUploadLeavesNothing:
            let upload = try await storage.beginUpload(key("aborted"), contentType: nil)
            try await upload.write(ByteBuffer(repeating: 7, count: 100_000))
            await upload.abort()
            #expect(try await storage.head(key("aborted")) == nil)
            #expect(try await storage.list(prefix: prefix).isEmpty)

        case .largeStreamedUploadRoundTrips:
            // Larger than one S3 part (8 MiB), written in uneven chunks, read back by its digest.
            var hasher = SHA256()
            let upload = try await storage.beginUpload(key("large.bin"), contentType: nil)
            // One pseudo-random block, stamped with its index so that no two chunks are equal.
            // Eight bytes at a time into the buffer: a closure per byte through `map` took 3.3 s in a debug build, on
            // one of the two cooperative threads every test of the process shares; this takes 0.13 s.
            var seed: UInt64 = 42
            var block = [UInt8](repeating: 0, count: 1_000_003)
            block.withUnsafeMutableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    if offset + 8 <= bytes.count {
                        bytes.storeBytes(of: seed, toByteOffset: offset, as: UInt64.self)
                        offset += 8
                    } else {
                        bytes[offset] = UInt8(truncatingIfNeeded: seed >> 33)
                        offset += 1
                    }
                }
            }
            var written = 0
            var index: UInt64 = 0
            while written < 20 << 20 {
                let count = min(block.count, (20 << 20) - written)
                var chunk = ByteBuffer(bytes: block[0..<count])
                chunk.setInteger(index, at: chunk.readerIndex)
                index += 1
                hasher.update(data: chunk.readableBytesView)
                try await upload.write(chunk)
                written += count
            }
            let stored = try await upload.complete()
            #expect(stored.size == Int64(20 << 20))
            var readBack = SHA256()
            var chunks = 0
            for try await chunk in try await storage.read(key("large.bin"), range: nil) {
                readBack.update(data: chunk.readableBytesView)
                chunks += 1
            }
            #expect(readBack.finalize() == hasher.finalize())
            #expect(chunks > 1, "a large object arrives in chunks, never whole")

        case .listIsByPrefixInKeyOrder:
            for name in ["c", "a", "b/1", "b/2", "bb"] {
                try await storage.put(key(name), fromFile: try file("l", bytes: hello), contentType: nil)
            }
            #expect(try await storage.list(prefix: prefix + "/").map(\.key) == ["a", "b/1", "b/2", "bb", "c"].map(key))
            #expect(try await storage.list(prefix: prefix + "/b/").map(\.key) == ["b/1", "b/2"].map(key))
            #expect(try await storage.list(prefix: prefix + "/b").count == 3)
            #expect(try await storage.list(prefix: prefix + "/zzz").isEmpty)

        case .deleteAllUnderAPrefix:
            for name in ["x/1", "x/2", "x/deep/3", "y"] {
                try await storage.put(key(name), fromFile: try file("d", bytes: hello), contentType: nil)
            }
            #expect(try await storage.deleteAll(prefix: prefix + "/x/") == 3)
            #expect(try await storage.list(prefix: prefix + "/").map(\.key) == [key("y")])

        case .downloadWritesTheWholeFile:
            // 0, 1, … 255 over and over, appended 256 at a time: a closure per byte took half a second in a debug build.
            let pattern = [UInt8](0...255)
            var bytes: [UInt8] = []
            while bytes.count < 300_000 { bytes += pattern.prefix(300_000 - bytes.count) }
            try await storage.put(key("dl"), fromFile: try file("dl-src", bytes: bytes), contentType: nil)
            let target = scratch + "/dl-copy"
            try await storage.download(key("dl"), toFile: target)
            #expect(FileManager.default.contents(atPath: target) == Data(bytes))

        case .copyMakesAnIndependentObject:
            try await storage.put(key("original"), fromFile: try file("o", bytes: hello), contentType: nil)
            let copied = try await storage.copy(key("original"), to: key("copy/of"))
            #expect(copied.size == Int64(hello.count))
            try await storage.delete(key("original"))
            #expect(try await read(key("copy/of")) == hello)
            await #expect(throws: StorageError.notFound(key: key("original").rawValue)) {
                try await storage.copy(key("original"), to: key("again"))
            }

        case .badKeysAreRefused:
            for bad in ["", "/abs", "a//b", "a/../b", "./a", "a/.", "x\u{0}y"] {
                #expect(throws: StorageError.invalidKey(bad)) { try ObjectKey(bad) }
            }
        }
    }
}
