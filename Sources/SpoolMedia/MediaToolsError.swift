/// ffmpeg or ffprobe is missing or unusable on this host: nothing can be transcoded until an operator fixes it.
public struct MediaToolsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The tool as configured: a name looked up on PATH or a path.
    public var tool: String
    public var message: String

    public init(tool: String, message: String) {
        self.tool = tool
        self.message = message
    }

    public var description: String { message }

    static func notFound(_ tool: String) -> MediaToolsError {
        let place = tool.contains("/") ? "at \(tool)" : "on PATH"
        return MediaToolsError(
            tool: tool,
            message: "\(tool) not found \(place); install it with apt-get install ffmpeg (it ships ffmpeg and ffprobe) "
                + "or configure the path to it")
    }

    static func unusable(_ tool: String, reason: String) -> MediaToolsError {
        MediaToolsError(
            tool: tool,
            message: "\(tool) is installed but does not run (\(reason)); reinstall it with apt-get install ffmpeg")
    }
}
