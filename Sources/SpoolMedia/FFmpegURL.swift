/// How a local path is handed to ffmpeg and ffprobe. A bare path containing ':' ("clip:1.mp4") would otherwise be
/// read as a protocol name, so inputs always carry an explicit `file:` (pipes are passed through as given).
enum FFmpegURL {
    static func input(_ path: String) -> String {
        if path.hasPrefix("file:") || path.hasPrefix("pipe:") { return path }
        return "file:" + path
    }
}
