import Crypto
import Foundation
import NIOCore
import SpoolCore
import SpoolStorage

#if canImport(Glibc)
    import Glibc
#endif

/// Content deduplication: the same input bytes asked for the same outputs reuse the outputs made before. The index
/// lives beside the outputs (on the data volume, or as small objects in the bucket when outputs live there), so it
/// is exactly as durable as the files it points at; an entry whose job or files are gone is dropped and the job
/// transcodes as usual.
struct ResultIndex: Sendable {
    let layout: DataLayout
    /// The bucket the outputs live in; nil when they live in the data directory.
    var remote: AttemptObjects? = nil

    /// The digest on a thread of its own: a large input takes seconds to hash, and Swift's cooperative threads (few,
    /// and shared with the API in `spool serve`) must not wait on the disk that long.
    static func digestOffTheExecutor(ofFile path: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try digest(ofFile: path) })
            }
        }
    }

    /// SHA-256 of a file, read in 1 MiB blocks.
    static func digest(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(data: block) }
        return hasher.finalize().hexString
    }

    /// The key of a job's result: its input's digest and its outputs in a canonical form (sorted keys, defaults
    /// filled in by validation), plus the hardware it asked for, since encoders differ.
    static func key(inputDigest: String, spec: JobSpec) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var material = Data(inputDigest.utf8)
        material.append(contentsOf: Array("\n".utf8))
        material.append(try encoder.encode(spec.outputs))
        material.append(contentsOf: Array("\n\(spec.acceleration.rawValue)".utf8))
        return SHA256.hash(data: material).hexString
    }

    func entry(_ key: String, tenant: TenantID) -> String { layout.results(for: tenant) + "/" + key }

    func objectKey(_ key: String, tenant: TenantID) -> ObjectKey {
        ObjectKey(checked: layout.key(of: entry(key, tenant: tenant)))
    }

    func lookup(_ key: String, tenant: TenantID) async -> JobID? {
        let text: String?
        if let remote {
            let body = try? await remote.objects.read(objectKey(key, tenant: tenant), range: nil).collect(upTo: 1024)
            text = body.map { String(buffer: $0) }
        } else {
            text = try? String(contentsOfFile: entry(key, tenant: tenant), encoding: .utf8)
        }
        guard let name = text?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { return nil }
        return JobID(rawValue: name)
    }

    /// Written to a temporary name and renamed (or stored whole in the bucket), so a reader sees a whole entry or
    /// none.
    func record(_ key: String, job: JobID, tenant: TenantID) async throws {
        if let remote {
            let upload = try await remote.objects.beginUpload(objectKey(key, tenant: tenant), contentType: "text/plain")
            try await upload.write(ByteBuffer(string: job.rawValue + "\n"))
            _ = try await upload.complete()
            return
        }
        let directory = layout.results(for: tenant)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = entry(key, tenant: tenant)
        let temporary = path + ".\(getpid()).\(job.rawValue).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data((job.rawValue + "\n").utf8)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    func forget(_ key: String, tenant: TenantID) async {
        if let remote {
            try? await remote.objects.delete(objectKey(key, tenant: tenant))
        } else {
            unlink(entry(key, tenant: tenant))
        }
    }

    /// Puts every file of an earlier job's outputs where this attempt's own outputs would be, so the commit
    /// publishes them like freshly made ones: linked into the staging directory (a copy where links are not
    /// possible), or copied inside the bucket to the attempt's keys. False when any file is missing.
    func stage(outputsOf earlier: Job, into staging: String, job: JobID, attempt: Int) async -> Bool {
        let files = Set(earlier.outputs.flatMap { $0.files + [$0.path] })
        guard !files.isEmpty else { return false }
        if let remote {
            let source = remote.attemptPrefix(earlier.id, attempt: earlier.attempt)
            let target = remote.attemptPrefix(job, attempt: attempt)
            for file in files.sorted() {
                guard let relative = PathRules.normalize("/" + file), !file.contains("..") else { return false }
                do {
                    try await remote.objects.copy(
                        ObjectKey(source + relative.dropFirst()), to: ObjectKey(target + relative.dropFirst()))
                } catch {
                    await remote.discard(job, attempt: attempt)
                    return false
                }
            }
            return true
        }
        return stage(outputsOf: earlier, into: staging)
    }

    /// Links every file of an earlier job's outputs into this attempt's staging directory (a copy where links are
    /// not possible), so the commit publishes them like freshly made ones. False when any file is missing.
    func stage(outputsOf earlier: Job, into staging: String) -> Bool {
        let source = layout.outputDirectory(earlier.id)
        let files = Set(earlier.outputs.flatMap { $0.files + [$0.path] })
        guard !files.isEmpty else { return false }
        for file in files.sorted() {
            guard let relative = PathRules.normalize("/" + file), !file.contains("..") else { return false }
            let from = source + relative
            let to = staging + relative
            do {
                try FileManager.default.createDirectory(
                    atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if link(from, to) != 0 && errno != EEXIST {
                    try FileManager.default.copyItem(atPath: from, toPath: to)
                }
            } catch {
                return false
            }
        }
        return true
    }
}
