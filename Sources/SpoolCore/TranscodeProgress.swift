/// A snapshot of a running transcode.
public struct TranscodeProgress: Codable, Sendable, Equatable {
    /// 0…1.
    public var fraction: Double
    public var fps: Double?
    /// Media seconds per wall second.
    public var speed: Double?
    /// True once ffmpeg has exited and the attempt only validates and commits: it holds no device, encoder session
    /// or worker slot any more, so the scheduler may place the worker's next job while this one finishes. Nil (not
    /// false) until then, so a record written before this field existed reads the same.
    public var transcodeFinished: Bool?

    public init(fraction: Double, fps: Double? = nil, speed: Double? = nil, transcodeFinished: Bool? = nil) {
        self.fraction = min(max(fraction, 0), 1)
        self.fps = fps
        self.speed = speed
        self.transcodeFinished = transcodeFinished
    }

    /// The progress of an attempt whose ffmpeg has exited: complete, validating.
    public static let transcoded = TranscodeProgress(fraction: 1, transcodeFinished: true)
}

extension Job {
    /// Running, but past its transcode: it validates and commits and holds no device or slot (see
    /// `TranscodeProgress.transcodeFinished`).
    public var isPastTranscode: Bool { state == .running && progress?.transcodeFinished == true }
}
