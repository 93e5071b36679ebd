import SpoolCore

/// Whether ffmpeg's own words say the input is damaged or cut short. Such an input fails the same way on every
/// attempt (ffmpeg may even exit 0 with a short output that validation then refuses), so the failure is
/// `invalid_input`, which is not retried, instead of `transcode_failed` or `validation_failed`, which are.
public enum InputDamage {
    /// Lines ffmpeg's demuxers and decoders log for bytes that are missing or broken.
    static let markers = [
        "partial file", "corrupt input packet", "Invalid data found when processing input", "moov atom not found",
    ]

    /// The first stderr line that shows damage, if any.
    public static func evidence(in stderrTail: [String]) -> String? {
        stderrTail.first { line in markers.contains { line.localizedCaseInsensitiveContains($0) } }
    }

    /// `error` as `invalid_input` when ffmpeg's stderr shows a damaged input; else `error` itself.
    public static func classify(_ error: JobError, stderrTail: [String]) -> JobError {
        guard error.code == .transcodeFailed || error.code == .validationFailed,
            let line = evidence(in: stderrTail)
        else { return error }
        return JobError(
            code: .invalidInput,
            message: "the input is damaged or cut short (ffmpeg: \(line)); upload it again whole. \(error.message)",
            stderrTail: stderrTail)
    }
}
