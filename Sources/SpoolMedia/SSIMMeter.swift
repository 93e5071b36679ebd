import Foundation
import SpoolCore

/// Measures how close an output looks to its source with ffmpeg's `ssim` filter, on frames sampled at the same
/// instants from both (after scaling the source to the output's size).
struct SSIMMeter: Sendable {
    var tools: MediaTools
    var timeout: Duration
    var clock: any Clock<Duration>
    /// The measuring children that `tools.windowSSIM` names are kept in, between jobs.
    var children: WindowSSIMChildren = .shared
    /// The window compared: 1 % of the clip, at least 0.1 s (three frames at 30 fps) and at most 10 s. Decoding both
    /// whole files would cost a large share of the transcode itself, and even 2 % of a 30 s clip was a tenth of a
    /// CPU-second a job (bench/overhead measured both), while a window still catches a broken or badly degraded
    /// encode.
    static func window(duration: Double) -> (start: Double, length: Double) {
        let length = min(max(duration * 0.01, 0.1), 10, max(duration, 0))
        // Short clips are compared from the start: seeking into them would decode up to a whole GOP first.
        let start = duration >= 60 ? (duration - length) / 2 : 0
        return (start, length)
    }

    /// Frames a second compared in a long window, or when the duration (and so the window) is unknown.
    static let thinnedRate = 4

    /// The rate a window of `length` seconds is thinned to: `thinnedRate` past 2 s; nil (every frame) below.
    static func sampleRate(windowLength length: Double) -> Int? { length > 2 ? thinnedRate : nil }

    /// The output's side of a measurement: seek arguments for its input and its filter chain, which takes the
    /// window's frames from zero and brings them to `size` in yuv420p, as the reference is.
    static func outputSample(size: FrameSize, duration: Double?) -> (seek: [String], chain: String) {
        var seek: [String] = []
        var sampling = ""
        if let duration, duration > 0 {
            let (start, length) = window(duration: duration)
            if start > 0 { seek += ["-ss", String(format: "%.3f", start)] }
            seek += ["-t", String(format: "%.3f", length)]
            if let rate = sampleRate(windowLength: length) { sampling = "fps=\(rate)," }
        } else {
            sampling = "fps=\(thinnedRate),"
        }
        return (seek, "setpts=PTS-STARTPTS,\(sampling)scale=\(size.width):\(size.height),format=yuv420p")
    }

    /// Every measurement's first arguments: the summary line the SSIM is read from is logged at `info`.
    static let commonArguments = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "info"]

    /// Decodes the window of the source too, for an output without a reference written by its transcode.
    ///
    /// - Parameter sourceStart: where the output's first frame is in the source (a segment's start), in seconds
    ///   from the source's start.
    static func arguments(
        output: String, source: String, size: FrameSize, duration: Double? = nil, sourceStart: Double = 0
    ) -> [String] {
        let (seek, sample) = outputSample(size: size, duration: duration)
        // One thread for each decoder and for the filters: a window is a handful of frames, for which spawning a
        // thread per core costs more CPU than it saves, and the cores are busy with other jobs' encodes.
        return commonArguments + seek + [
            "-threads", "1", "-i", FFmpegURL.input(output),
            "-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist,
        ] + sourceSeek(seek, by: sourceStart) + [
            "-threads", "1", "-i", FFmpegURL.input(source),
            "-filter_complex", "[0:v:0]\(sample)[out];[1:v:0]\(sample)[ref];[out][ref]ssim",
            "-filter_complex_threads", "1", "-an", "-f", "null", "-",
        ]
    }

    /// Compares the output's window with the frames its transcode wrote (`SSIMReference`), which are already the
    /// window, at the output's size: only the output is decoded. `shortest` ends the comparison with the shorter side,
    /// so a last frame is never compared twice.
    static func arguments(output: String, reference: String, size: FrameSize, duration: Double) -> [String] {
        let (seek, sample) = outputSample(size: size, duration: duration)
        return commonArguments + seek + [
            "-threads", "1", "-i", FFmpegURL.input(output),
            "-protocol_whitelist", "file", "-format_whitelist", "nut", "-f", "nut",
            "-i", FFmpegURL.input(reference),
            "-filter_complex", "[0:v:0]\(sample)[out];[1:v:0]setpts=PTS-STARTPTS[ref];[out][ref]ssim=shortest=1",
            "-filter_complex_threads", "1", "-an", "-f", "null", "-",
        ]
    }

    /// The measuring child's request, for a window that starts at the output's start and compares every frame (clips
    /// under 60 s: `window` centres longer clips' windows); nil for a window it does not read, which ffmpeg measures.
    static func windowRequest(output: String, reference: String, size: FrameSize, duration: Double)
        -> WindowSSIM.Request?
    {
        guard duration > 0 else { return nil }
        let (start, length) = window(duration: duration)
        guard start == 0, sampleRate(windowLength: length) == nil else { return nil }
        return WindowSSIM.Request(
            output: output, reference: reference, width: size.width, height: size.height,
            window: (length * 1000).rounded() / 1000)
    }

    enum ChildMeasurement: Equatable {
        case measured(Double)
        /// The measurement's time ran out: nil, as when ffmpeg runs out of it.
        case outOfTime
        /// The child could not measure these files (or could not start): ffmpeg measures them instead.
        case declined
    }

    static func sourceSeek(_ seek: [String], by offset: Double) -> [String] {
        guard offset > 0 else { return seek }
        var moved = seek
        if let index = moved.firstIndex(of: "-ss"), let start = Double(moved[index + 1]) {
            moved[index + 1] = String(format: "%.3f", start + offset)
        } else {
            moved = ["-ss", String(format: "%.3f", offset)] + moved
        }
        return moved
    }

    /// The mean SSIM, or nil when it could not be measured in time (a measurement, not a verdict).
    func measure(
        output: String, source: String, size: FrameSize, duration: Double?, sourceStart: Double = 0, label: String
    ) async throws(JobError) -> Double? {
        try await run(
            Self.arguments(output: output, source: source, size: size, duration: duration, sourceStart: sourceStart),
            label: label, nextTo: "the source")
    }

    /// The mean SSIM against the frames the transcode wrote for it, or nil when it could not be measured in time.
    func measure(output: String, reference: String, size: FrameSize, duration: Double, label: String)
        async throws(JobError) -> Double?
    {
        if let spool = tools.windowSSIM,
            let request = Self.windowRequest(output: output, reference: reference, size: size, duration: duration)
        {
            switch await children.measure(spool: spool, request: request, timeout: timeout, clock: clock) {
            case .measured(let value): return value
            case .outOfTime: return nil
            case .declined: break  // ffmpeg measures it and judges the files, as without the child
            }
        }
        return try await run(
            Self.arguments(output: output, reference: reference, size: size, duration: duration), label: label,
            nextTo: "the frames its transcode kept for SSIM")
    }

    private func run(_ arguments: [String], label: String, nextTo other: String) async throws(JobError) -> Double? {
        let result: ToolOutput
        do {
            result = try await ToolProcess.run(tools.ffmpeg, arguments: arguments, timeout: timeout, clock: clock)
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
                message: "\(label) could not be decoded next to \(other) to measure SSIM "
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
