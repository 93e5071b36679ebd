/// Why a job (or one attempt of it) failed, in words a person can act on.
public struct JobError: Codable, Sendable, Equatable, Error {
    public enum Code: String, Codable, Sendable {
        /// The input is not a decodable video: retrying cannot help.
        case invalidInput = "invalid_input"
        /// The input could not be fetched (HTTP error, missing upload, file gone).
        case inputUnavailable = "input_unavailable"
        /// The input object (an upload) is gone from the storage: retrying cannot bring it back.
        case inputNotFound = "input_not_found"
        /// No pool here can produce what the job asks for.
        case unsupported
        /// ffmpeg exited non-zero or was killed.
        case transcodeFailed = "transcode_failed"
        /// ffmpeg needed more memory than the worker lets it map (`--ffmpeg-memory-limit`). Retried: another worker
        /// may allow more; a job that needs more everywhere ends in the dead letters.
        case resourceLimit = "resource_limit"
        /// The worker's disk (or the storage) is full. Not the job's fault: it goes back to the queue without using
        /// up an attempt, and runs once there is space again.
        case storageFull = "storage_full"
        /// ffmpeg made no progress for the stall limit.
        case stalled
        /// The job ran past its hard cap.
        case timeout
        /// An output did not match what was asked (codec, size, duration).
        case validationFailed = "validation_failed"
        /// The worker ran the job but lost its lease before committing.
        case leaseLost = "lease_lost"
        /// A job of a higher service class took its place; it was requeued without counting a failure.
        case preempted
        case internalError = "internal"
    }

    public var code: Code
    public var message: String
    /// The last lines ffmpeg printed, when it was ffmpeg that failed.
    public var stderrTail: [String]?

    public init(code: Code, message: String, stderrTail: [String]? = nil) {
        self.code = code
        self.message = message
        self.stderrTail = stderrTail
    }

    /// Whether another attempt may pass. Bad input and unsupported requests fail at once.
    public var isRetryable: Bool {
        switch code {
        case .invalidInput, .unsupported, .inputNotFound: false
        default: true
        }
    }

    enum CodingKeys: String, CodingKey {
        case code, message
        case stderrTail = "stderr_tail"
    }
}
