import Foundation
import Testing

@testable import SpoolMedia

/// A temporary folder with generated test clips, removed when the test ends.
struct MediaScratch: ~Copyable {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("spool-media-tests")
        let url = base.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Makes an H.264/AAC MP4 from ffmpeg's test sources (moving picture, sine tone).
    @discardableResult
    func makeClip(
        _ name: String, size: String = "640x360", seconds: Int = 3, rate: Int = 25, audio: Bool = true,
        extra: [String] = []
    ) async throws -> String {
        let output = file(name)
        var arguments = ["-hide_banner", "-nostdin", "-v", "error", "-y"]
        arguments += ["-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate)"]
        if audio { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"] }
        arguments += ["-t", "\(seconds)", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        arguments += audio ? ["-c:a", "aac"] : []
        arguments += extra + [output]
        try await Self.ffmpeg(arguments)
        return output
    }

    static func ffmpeg(_ arguments: [String]) async throws {
        let result = try await ToolProcess.run(
            "ffmpeg", arguments: arguments, timeout: .seconds(60), clock: ContinuousClock())
        try #require(result.succeeded, "ffmpeg \(arguments.joined(separator: " ")): \(result.stderrText)")
    }

    func write(_ name: String, _ data: Data) throws -> String {
        let output = file(name)
        try data.write(to: URL(fileURLWithPath: output))
        return output
    }
}
