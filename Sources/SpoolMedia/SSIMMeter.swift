import Foundation
import SpoolCore

/// Measures how close an output looks to its source with ffmpeg's `ssim` filter, on frames sampled at the same
/// instants from both (after scaling the source to the output's size).
struct SSIMMeter: Sendable {
    var tools: MediaTools
    var timeout: Duration
    var clock: any Clock<Duration>
    /// Frames per second sampled from each side: enough to catch a broken encode without decoding-bound cost.
    static let sampleRate = "2"

    static func arguments(output: String, source: String, size: FrameSize) -> [String] {
        let sample = "setpts=PTS-STARTPTS,fps=\(sampleRate),scale=\(size.width):\(size.height),format=yuv420p"
        return [
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
            "-i", FFmpegURL.input(output),
            "-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist,
            "-i", FFmpegURL.input(source),
            "-filter_complex", "[0:v:0]\(sample)[out];[1:v:0]\(sample)[ref];[out][ref]ssim",
            "-an", "-f", "null", "-",
        ]
    }

    /// The mean SSIM, or nil when it could not be measured in time (a measurement, not a verdict).
    func measure(output: String, source: String, size: FrameSize, label: String) async throws(JobError) -> Double? {
        let result: ToolOutput
        do {
            result = try await ToolProcess.run(
                tools.ffmpeg, arguments: Self.arguments(output: output, source: source, size: size), timeout: timeout,
                clock: clock)
        } catch {
            switch error {
            case .timedOut, .cancelled: return nil
            case .notFound:
                throw JobError(code: .internalError, message: MediaToolsError.notFound(tools.ffmpeg).message)
            case .launchFailed(let reason):
                throw JobError(
                    code: .internalError, message: MediaToolsError.unusable(tools.ffmpeg, reason: reason).message)
            }
        }
        guard result.succeeded else {
            throw JobError(
                code: .validationFailed,
                message: "\(label) could not be decoded next to the source to measure SSIM "
                    + "(ffmpeg \(result.status.plainDescription): \(result.lastStderrLine ?? "no message"))")
        }
        return Self.parse(stderr: result.stderrText)
    }

    /// The "All:" value from the filter's summary line, e.g. "SSIM Y:0.99 U:0.98 V:0.98 All:0.987654 (18.9)".
    static func parse(stderr: String) -> Double? {
        guard
            let line = stderr.split(whereSeparator: \.isNewline).last(where: {
                $0.contains("SSIM ") && $0.contains("All:")
            }),
            let range = line.range(of: "All:")
        else { return nil }
        let number = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        guard let value = Double(number), value.isFinite else { return nil }
        return value
    }
}
