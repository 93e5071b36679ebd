import SpoolCore

/// Whether an attempt failed because the disk it writes to is full. Whatever step hit it (ffmpeg, staging, validation,
/// publication) says so in its own words; all of them mean `storage_full`, which the lifecycle requeues without using
/// up an attempt.
enum StorageFull {
    /// ENOSPC as ffmpeg, libc, Foundation and SQLite word it.
    static let markers = [
        "No space left on device", "ENOSPC", "database or disk is full", "isn’t enough space", "isn't enough space",
        "out of space",
    ]

    static func classify(_ error: JobError) -> JobError {
        guard error.code != .storageFull else { return error }
        let text = ([error.message] + (error.stderrTail ?? [])).joined(separator: "\n")
        guard let marker = markers.first(where: { text.contains($0) }) else { return error }
        return JobError(
            code: .storageFull,
            message: "the worker's disk is full (\(marker)); the job waits for space without using up an attempt. "
                + error.message,
            stderrTail: error.stderrTail)
    }
}
