import Foundation
import SpoolCore
import SpoolStorage

/// An attempt's outputs in a remote storage backend (a bucket). The worker encodes to local scratch and uploads
/// every file under the attempt's own keys (`outputs/JOB/aN/…`) before it commits. A bucket has no rename, so
/// nothing is copied afterwards: the fenced commit records which attempt succeeded, and that attempt's objects are
/// the job's outputs from the moment it is visible as succeeded. A late or fenced attempt's objects are never read
/// and are deleted (by the worker itself, or by the janitor when it died).
public struct AttemptObjects: Sendable {
    public let objects: any ObjectStorage
    /// The process's local scratch; keys come from it (`DataLayout.outputPrefix`).
    public let layout: DataLayout

    public init(objects: any ObjectStorage, layout: DataLayout) {
        self.objects = objects
        var layout = layout
        layout.outputsByAttempt = true
        self.layout = layout
    }

    /// Whether `objects` is the data directory itself (files published by rename, nothing to upload).
    public static func isLocal(_ objects: any ObjectStorage, layout: DataLayout) -> Bool {
        objects.localRoot == layout.root
    }

    func attemptPrefix(_ job: JobID, attempt: Int) -> String { layout.outputPrefix(job, attempt: attempt) }

    /// Uploads every staged file of the attempt (each stored whole, integrity checked by the backend). HLS
    /// playlists go last, so a master playlist never names a file that is not there yet.
    public func upload(_ job: JobID, attempt: Int) async throws(StorageError) {
        let staging = layout.stagingDirectory(job, attempt: attempt)
        let prefix = attemptPrefix(job, attempt: attempt)
        guard let walker = FileManager.default.enumerator(atPath: staging) else { return }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: staging + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(relative)
            }
        }
        let ordered = files.sorted { a, b in
            let (aPlaylist, bPlaylist) = (a.hasSuffix(".m3u8"), b.hasSuffix(".m3u8"))
            if aPlaylist != bPlaylist { return !aPlaylist }
            // Rendition playlists (deeper) before the master.
            let (aDepth, bDepth) = (a.split(separator: "/").count, b.split(separator: "/").count)
            return aDepth != bDepth ? aDepth > bDepth : a < b
        }
        for relative in ordered {
            try await objects.put(
                try ObjectKey(prefix + relative), fromFile: staging + "/" + relative, contentType: nil)
        }
    }

    /// Removes whatever the attempt uploaded.
    public func discard(_ job: JobID, attempt: Int) async {
        _ = try? await objects.deleteAll(prefix: attemptPrefix(job, attempt: attempt))
    }

    /// Empties a stopped attempt's prefix again at each of `delays` after the call (its first discard). An upload
    /// already on the wire when the attempt stopped can land after that discard: behind a partition its bytes wait
    /// in TCP retransmission and the bucket stores them once the link returns. A stopped attempt can never commit,
    /// so deleting its prefix later is always safe.
    public func sweepLateUploads<C: Clock>(_ job: JobID, attempt: Int, at delays: [Duration], clock: C) async
    where C.Duration == Duration {
        let start = clock.now
        for delay in delays {
            // Cancelled (the process stopping): sweep at once rather than leave what landed.
            try? await clock.sleep(until: start.advanced(by: delay), tolerance: nil)
            await discard(job, attempt: attempt)
        }
    }

    /// The attempts that have objects in the bucket, by job: what the janitor looks at.
    public func attemptsInStorage() async throws(StorageError) -> [JobID: Set<Int>] {
        var found: [JobID: Set<Int>] = [:]
        let outputs = layout.key(of: layout.outputs) + "/"
        for object in try await objects.list(prefix: outputs) {
            let parts = object.key.rawValue.dropFirst(outputs.count).split(separator: "/")
            guard parts.count >= 2, let attempt = DataLayout.attemptNumber(directoryName: String(parts[1])) else {
                continue
            }
            found[JobID(rawValue: String(parts[0])), default: []].insert(attempt)
        }
        return found
    }
}
