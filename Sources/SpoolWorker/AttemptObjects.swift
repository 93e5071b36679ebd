import Foundation
import SpoolCore
import SpoolStorage

/// An attempt's outputs in a remote storage backend (a bucket). The worker encodes to local scratch, uploads every
/// file under the attempt's own keys (`work/JOB/aN/out/…`) before it commits, and publishes them to the job's
/// output keys (`outputs/JOB/…`) only after the fenced commit landed; a late or fenced attempt's objects are
/// discarded, never published. Keys mirror the data directory's paths, so one `DataLayout` names both.
public struct AttemptObjects: Sendable {
    public let objects: any ObjectStorage
    /// The process's local scratch: the attempt's staging directory is here, and keys are its paths made relative.
    public let layout: DataLayout

    public init(objects: any ObjectStorage, layout: DataLayout) {
        self.objects = objects
        self.layout = layout
    }

    /// Whether `objects` is the data directory itself (files published by rename, nothing to upload).
    public static func isLocal(_ objects: any ObjectStorage, layout: DataLayout) -> Bool {
        objects.localRoot == layout.root
    }

    func attemptPrefix(_ job: JobID, attempt: Int) -> String {
        layout.key(of: layout.stagingDirectory(job, attempt: attempt)) + "/"
    }

    func outputsPrefix(_ job: JobID) -> String { layout.key(of: layout.outputDirectory(job)) + "/" }

    /// Uploads every staged file of the attempt (each stored whole, integrity checked by the backend).
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
        for relative in files.sorted() {
            try await objects.put(
                try ObjectKey(prefix + relative), fromFile: staging + "/" + relative, contentType: nil)
        }
    }

    /// Copies the attempt's objects to the job's output keys, then removes them. Idempotent, so a crash between the
    /// commit and the end of this is rolled forward by the janitor. HLS playlists go last (a master playlist never
    /// names a rendition that is not there yet).
    public func publish(_ job: JobID, attempt: Int) async throws(StorageError) {
        let prefix = attemptPrefix(job, attempt: attempt)
        let outputs = outputsPrefix(job)
        let staged = try await objects.list(prefix: prefix)
        let ordered = staged.sorted { a, b in
            let aPlaylist = a.key.rawValue.hasSuffix(".m3u8")
            let bPlaylist = b.key.rawValue.hasSuffix(".m3u8")
            if aPlaylist != bPlaylist { return !aPlaylist }
            // Rendition playlists (deeper) before the master.
            return a.key.rawValue.split(separator: "/").count > b.key.rawValue.split(separator: "/").count
        }
        for object in ordered {
            let relative = String(object.key.rawValue.dropFirst(prefix.count))
            try await objects.copy(object.key, to: try ObjectKey(outputs + relative))
        }
        for object in staged { try await objects.delete(object.key) }
    }

    /// Removes whatever the attempt uploaded.
    public func discard(_ job: JobID, attempt: Int) async {
        _ = try? await objects.deleteAll(prefix: layout.key(of: layout.attemptDirectory(job, attempt: attempt)) + "/")
    }

    /// The attempts that have objects in the bucket, by job: what the janitor looks at.
    public func attemptsInStorage() async throws(StorageError) -> [JobID: Set<Int>] {
        var found: [JobID: Set<Int>] = [:]
        let work = layout.key(of: layout.work) + "/"
        for object in try await objects.list(prefix: work) {
            let parts = object.key.rawValue.dropFirst(work.count).split(separator: "/")
            guard parts.count >= 2, let attempt = DataLayout.attemptNumber(directoryName: String(parts[1])) else {
                continue
            }
            found[JobID(rawValue: String(parts[0])), default: []].insert(attempt)
        }
        return found
    }
}
