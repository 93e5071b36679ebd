/// One ffmpeg invocation that makes every output of a job.
public struct TranscodeCommand: Sendable, Equatable {
    /// argv without the ffmpeg executable itself. Never joined into a shell string.
    public var arguments: [String]
    public var outputs: [PlannedOutput]
    /// Absolute folders that must exist before ffmpeg starts (the image2 muxer does not create them).
    public var directories: [String]

    public init(arguments: [String], outputs: [PlannedOutput], directories: [String] = []) {
        self.arguments = arguments
        self.outputs = outputs
        self.directories = directories
    }
}
