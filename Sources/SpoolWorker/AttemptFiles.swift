import Foundation
import SpoolCore

/// The files of one attempt: created before ffmpeg runs, published by one rename after the commit, or discarded.
public struct AttemptFiles: Sendable {
    public var layout: DataLayout

    public init(layout: DataLayout) {
        self.layout = layout
    }

    public func prepare(_ job: JobID, attempt: Int) throws {
        let staging = layout.stagingDirectory(job, attempt: attempt)
        try? FileManager.default.removeItem(atPath: layout.attemptDirectory(job, attempt: attempt))
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: layout.outputs, withIntermediateDirectories: true)
    }

    /// Moves the staged outputs to the job's output directory in one rename. Idempotent: when the outputs are
    /// already published (a roll-forward after a crash did it) the staged copy is dropped.
    public func publish(_ job: JobID, attempt: Int) throws {
        let staging = layout.stagingDirectory(job, attempt: attempt)
        let target = layout.outputDirectory(job)
        if FileManager.default.fileExists(atPath: staging) && !FileManager.default.fileExists(atPath: target) {
            try FileManager.default.createDirectory(atPath: layout.outputs, withIntermediateDirectories: true)
            // Another process (the janitor, or the worker itself) may publish the same attempt at the same moment:
            // whoever renames second finds the target there, which is success too.
            guard rename(staging, target) == 0 || FileManager.default.fileExists(atPath: target) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
            }
        }
        removeWorkDirectory(job)
    }

    public func discard(_ job: JobID, attempt: Int) {
        try? FileManager.default.removeItem(atPath: layout.attemptDirectory(job, attempt: attempt))
        let remaining = (try? FileManager.default.contentsOfDirectory(atPath: layout.workDirectory(job))) ?? []
        if remaining.isEmpty { try? FileManager.default.removeItem(atPath: layout.workDirectory(job)) }
    }

    func removeWorkDirectory(_ job: JobID) {
        try? FileManager.default.removeItem(atPath: layout.workDirectory(job))
    }

    /// Records ffmpeg's process group so a restarted server can stop an orphan left by a crash.
    public func writePID(_ pid: Int32, job: JobID, attempt: Int) {
        let path = layout.pidFile(job, attempt: attempt)
        // Best effort: without the file a crash leaves an orphan the janitor cannot name, nothing worse.
        _ = FileManager.default.createFile(atPath: path, contents: Data("\(pid)\n".utf8))
    }
}
