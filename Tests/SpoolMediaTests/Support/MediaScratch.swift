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

    /// A clip of `seconds` transcoded on the CPU path to every kind of output in `Samples.allKinds`, with the SSIM
    /// reference frames the transcode keeps (in `a1/ssim`, beside the staging folder `a1/out`).
    func transcodeWithReferences(seconds: Int) async throws -> ReferencedTranscode {
        let input = try await makeClip("source.mp4", seconds: seconds)
        let source = try await MediaProber().probe(path: input)
        let staging = file("a1/out")
        let command = TranscodeCommandBuilder.build(
            input: input, source: source, outputs: Samples.allKinds, path: .cpu, stagingDirectory: staging,
            ssimReferenceDirectory: file("a1/ssim"))
        try await FFmpegRunner(clock: ContinuousClock()).run(
            command, sourceDurationSeconds: source.durationSeconds, onStart: { _ in }, onProgress: { _ in })
        return ReferencedTranscode(input: input, source: source, staging: staging, command: command)
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

/// What `MediaScratch.transcodeWithReferences` made.
struct ReferencedTranscode {
    var input: String
    var source: MediaInfo
    var staging: String
    var command: TranscodeCommand
}
