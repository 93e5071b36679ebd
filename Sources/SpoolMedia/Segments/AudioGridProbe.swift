import Foundation
import SpoolCore

extension MediaProber {
    /// The input's audio frame grid: where its first decoded sample lies (after any priming its own encoder added,
    /// which the decoder skips, however many packets that takes: an edit list may hide hundreds of milliseconds) and
    /// its sample rate, from the first ten seconds. Nil when it has no audio stream ffmpeg decodes there.
    public func audioGrid(path: String, sampleRate: Int) async throws(JobError) -> AudioGrid? {
        let arguments = [
            "-v", "error", "-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist,
            "-select_streams", "a:0", "-show_frames", "-read_intervals", "%+10", "-show_entries", "frame=pts_time",
            "-of", "csv=p=0", FFmpegURL.input(path),
        ]
        let output: ToolOutput
        do {
            output = try await ToolProcess.run(tools.ffprobe, arguments: arguments, timeout: timeout, clock: clock)
        } catch {
            throw JobError(
                code: error == .timedOut ? .timeout : .internalError,
                message: "reading where the input's audio starts failed (\(error))")
        }
        guard output.succeeded else {
            throw JobError(
                code: .invalidInput,
                message: "ffprobe cannot decode the input's audio (\(Self.reason(from: output, path: path)))")
        }
        let first = output.stdoutText.split(whereSeparator: \.isNewline).lazy
            .compactMap { Double($0.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: ",")))) }
            .first
        return first.map { AudioGrid(start: $0, sampleRate: sampleRate) }
    }
}
