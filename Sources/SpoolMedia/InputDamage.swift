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

    /// How validation words an output shorter than its input's declared duration. ffmpeg exited 0, so it read all it
    /// could: the input's streams end early (some demuxers, Matroska's among them, resync past damage silently).
    static let shorterThanDeclared = "shorter than the input declares"

    /// `error` as `invalid_input` when ffmpeg's stderr shows a damaged input, or when ffmpeg succeeded but its output
    /// is shorter than the input claims to be; else `error` itself.
    public static func classify(_ error: JobError, stderrTail: [String]) -> JobError {
        if error.code == .validationFailed, error.message.contains(shorterThanDeclared) {
            return JobError(
                code: .invalidInput,
                message: "the input ends before the duration it declares, so it is damaged or cut short; upload it "
                    + "again whole. \(error.message)",
                stderrTail: stderrTail.isEmpty ? nil : stderrTail)
        }
        guard error.code == .transcodeFailed || error.code == .validationFailed,
            let line = evidence(in: stderrTail)
        else { return error }
        return JobError(
            code: .invalidInput,
            message: "the input is damaged or cut short (ffmpeg: \(line)); upload it again whole. \(error.message)",
            stderrTail: stderrTail)
    }
}
