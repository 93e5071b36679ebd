import Subprocess

/// Where ffmpeg and ffprobe live. A bare name is looked up on `PATH` when a process is spawned, so a worker can be
/// pointed at a custom build by giving a path instead.
public struct MediaTools: Sendable, Equatable {
    public var ffmpeg: String
    public var ffprobe: String

    public init(ffmpeg: String = "ffmpeg", ffprobe: String = "ffprobe") {
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe
    }

    static func executable(_ nameOrPath: String) -> Executable {
        // Subprocess rejects a "name" containing a separator, and a path is never searched on PATH.
        nameOrPath.contains("/") ? .path(.init(nameOrPath)) : .name(nameOrPath)
    }
}
