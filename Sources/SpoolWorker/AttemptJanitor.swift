import Foundation
import Logging
import SpoolControlPlane
import SpoolCore
import SpoolStorage

#if canImport(Glibc)
    import Glibc
#endif

/// Cleans up after crashes: stops ffmpeg processes whose worker died, completes publications that a crash
/// interrupted (the commit landed, the rename did not), and removes every staged attempt that can no longer commit.
/// What becomes of each attempt is the `Housekeeper`'s decision; the janitor reads the disk and carries it out.
public struct AttemptJanitor: AttemptSweeping {
    public typealias Report = SweepReport

    let store: any JobReading
    let files: AttemptFiles
    let logger: Logger
    /// Attempt objects in a bucket, when outputs do not live in the data directory: every host's attempts are
    /// there, so the leader's janitor sweeps them all.
    let remote: AttemptObjects?

    public init(store: any JobReading, layout: DataLayout, objects: (any ObjectStorage)? = nil, logger: Logger) {
        self.store = store
        self.files = AttemptFiles(layout: layout)
        self.logger = logger
        self.remote = objects.flatMap {
            AttemptObjects.isLocal($0, layout: layout) ? nil : AttemptObjects(objects: $0, layout: layout)
        }
    }

    var layout: DataLayout { files.layout }

    /// - Parameter staleUploadAge: partial uploads older than this are removed (nil: remove all, for a single-node
    ///   start when nothing else can be uploading).
    public func sweep(staleUploadAge: TimeInterval?) async throws -> Report {
        var report = Report()
        let manager = FileManager.default
        for jobName in (try? manager.contentsOfDirectory(atPath: layout.work)) ?? [] {
            do {
                try await sweep(JobID(rawValue: jobName), into: &report)
            } catch {
                // One job's trouble (a publication racing its worker's own, a store hiccup) must not stop the sweep
                // of every other job; this one is looked at again next pass.
                logger.warning(
                    "could not sweep a job's attempts", metadata: ["job": "\(jobName)", "error": "\(error)"])
            }
        }
        if let remote {
            // The storage may be away for a while; its leftovers wait for a later sweep, the local ones do not.
            do {
                try await sweep(remote, into: &report)
            } catch {
                logger.warning("could not sweep attempt objects in the storage", metadata: ["error": "\(error)"])
            }
        }
        for name in (try? manager.contentsOfDirectory(atPath: layout.uploads)) ?? [] where name.hasSuffix(".part") {
            let path = layout.uploads + "/" + name
            let modified = (try? manager.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
            if let staleUploadAge, Date().timeIntervalSince(modified) < staleUploadAge { continue }
            try? manager.removeItem(atPath: path)
            report.removedUploads += 1
        }
        return report
    }

    /// One job's attempt folders: each rolled forward, discarded or left alone as the `Housekeeper` decides.
    func sweep(_ id: JobID, into report: inout Report) async throws {
        let manager = FileManager.default
        let job = try await store.job(id)
        for attemptName in (try? manager.contentsOfDirectory(atPath: layout.workDirectory(id))) ?? [] {
            guard let attempt = DataLayout.attemptNumber(directoryName: attemptName) else { continue }
            let actions = Housekeeper.attemptActions(
                job: id, attempt: attempt, record: job,
                published: manager.fileExists(atPath: layout.outputDirectory(id)))
            for action in actions {
                switch action {
                case .stopOrphan:
                    if stopOrphan(job: id, attempt: attempt) { report.killedProcesses += 1 }
                case .rollForward:
                    try files.publish(id, attempt: attempt)
                    report.rolledForward += 1
                    logger.notice(
                        "rolled forward a publication interrupted by a crash", metadata: ["job": "\(id)"])
                case .discard:
                    files.discard(id, attempt: attempt)
                    report.removedAttempts += 1
                }
            }
        }
        let remaining = (try? manager.contentsOfDirectory(atPath: layout.workDirectory(id))) ?? []
        if remaining.isEmpty { try? manager.removeItem(atPath: layout.workDirectory(id)) }
    }

    /// Attempt objects that are neither the committed outputs nor a running attempt's: a fenced, failed or handed
    /// back attempt's, or those of a job the store no longer knows. Deleted.
    func sweep(_ remote: AttemptObjects, into report: inout Report) async throws {
        for (id, attempts) in try await remote.attemptsInStorage() {
            let job = try await store.job(id)
            for attempt in attempts.sorted() where !Housekeeper.keepsAttemptObjects(attempt: attempt, record: job) {
                await remote.discard(id, attempt: attempt)
                report.removedAttempts += 1
            }
        }
    }

    /// Kills the process group recorded for an attempt, if that process is still ffmpeg working in that attempt's
    /// directory (the check guards against a recycled PID).
    func stopOrphan(job: JobID, attempt: Int) -> Bool {
        let pidPath = layout.pidFile(job, attempt: attempt)
        guard let text = try? String(contentsOfFile: pidPath, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1,
            let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
        else { return false }
        let arguments = String(decoding: cmdline, as: UTF8.self)
        guard arguments.contains(layout.attemptDirectory(job, attempt: attempt)) else { return false }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        logger.notice(
            "stopped an orphaned ffmpeg", metadata: ["job": "\(job)", "attempt": "\(attempt)", "pid": "\(pid)"])
        return true
    }
}
