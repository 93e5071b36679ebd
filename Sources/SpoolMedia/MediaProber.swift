import Foundation
import SpoolCore

/// Runs ffprobe on inputs (with the protocol and container whitelists) and on Spool's own outputs.
public struct MediaProber: Sendable {
    public var tools: MediaTools
    public var timeout: Duration
    let clock: any Clock<Duration>

    public init(tools: MediaTools = MediaTools(), timeout: Duration = .seconds(30)) {
        self.init(tools: tools, timeout: timeout, clock: ContinuousClock())
    }

    public init(tools: MediaTools = MediaTools(), timeout: Duration = .seconds(30), clock: any Clock<Duration>) {
        self.tools = tools
        self.timeout = timeout
        self.clock = clock
    }

    /// Runs `ffprobe -v error -show_streams -show_format -of json` with a wall-clock timeout. A missing file is
    /// `inputUnavailable`; an empty file, junk, a text file, a file without video or with zero duration is
    /// `invalidInput`, with a reason a person can act on.
    public func probe(path: String) async throws(JobError) -> MediaInfo {
        try Self.checkReadableFile(path)
        if let info = try Self.probeOwnIndex(path: path) { return info }
        let arguments =
            ["-v", "error", "-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist]
            + ["-show_streams", "-show_format", "-of", "json", FFmpegURL.input(path)]
        let output = try await runFFprobe(arguments, subject: "the input")
        guard output.succeeded else {
            throw JobError(
                code: .invalidInput,
                message: "the input is not a video ffprobe can read (\(Self.reason(from: output, path: path))); "
                    + "upload a \(MediaInfo.acceptedContainers) video")
        }
        return try MediaInfo.parse(ffprobeJSON: output.stdout)
    }

    /// Probes one of Spool's own outputs. `countPackets` demuxes the whole file, which is how a file cut short after
    /// its header (an MP4 with `moov` first, an HLS segment) is told apart from a complete one.
    func probeOutput(path: String, countPackets: Bool) async throws(JobError) -> FFprobeDocument {
        // An MP4's own index says as much as ffprobe would, and reading it costs no process start; what it does not
        // model, or cannot read, ffprobe judges as before.
        if countPackets, Self.readsOwnIndex(path), let index = try? MP4Index.read(path: path) {
            return FFprobeDocument(index)
        }
        var arguments = ["-v", "error"]
        if countPackets { arguments.append("-count_packets") }
        arguments += ["-show_streams", "-show_format", "-of", "json", FFmpegURL.input(path)]
        let output = try await runFFprobe(arguments, subject: path)
        guard output.succeeded, let document = FFprobeDocument.decode(output.stdout), !document.streams.isEmpty else {
            throw JobError(
                code: .validationFailed,
                message: "ffprobe cannot read the output \(path) (\(Self.reason(from: output, path: path)))")
        }
        return document
    }

    /// ffprobe's name for the demuxer of MP4 and MOV files.
    static let movFormatName = "mov,mp4,m4a,3gp,3g2,mj2"

    /// An MP4 or MOV input described from its own index, without starting ffprobe (about 60 ms of CPU a job, most of
    /// it the dynamic linker: bench/overhead). Only a file that opens with an `ftyp` box, whose index `MP4Index`
    /// reads whole, whose tracks are not rotated and whose audio is AAC whose layout the index tells (see
    /// `MP4Index.aacLayout`); nil for anything else,
    /// which ffprobe then judges as before (and refuses with the same messages). The result passes the same checks
    /// as ffprobe's (`MediaInfo.parse`).
    static func probeOwnIndex(path: String) throws(JobError) -> MediaInfo? {
        guard startsWithFileType(path), let index = try? MP4Index.read(path: path),
            !index.tracks.contains(where: \.transformed),
            index.tracks.allSatisfy({ $0.kind == "video" || ($0.channels != nil && $0.sampleRate != nil) })
        else { return nil }
        var document = FFprobeDocument(index)
        guard document.format != nil else { return nil }
        document.format?.formatName = movFormatName
        return try MediaInfo.parse(document)
    }

    /// Whether the file's first box is an ISO base media `ftyp`.
    static func startsWithFileType(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 8), header.count == 8 else { return false }
        return String(decoding: header.suffix(4), as: UTF8.self) == "ftyp"
    }

    /// Outputs whose index `MP4Index` reads: Spool's MP4 files.
    static func readsOwnIndex(_ path: String) -> Bool {
        path.hasSuffix(".mp4") || path.hasSuffix(".m4a") || path.hasSuffix(".mov")
    }

    private func runFFprobe(_ arguments: [String], subject: String) async throws(JobError) -> ToolOutput {
        do {
            return try await ToolProcess.run(tools.ffprobe, arguments: arguments, timeout: timeout, clock: clock)
        } catch {
            switch error {
            case .notFound:
                throw JobError(code: .internalError, message: MediaToolsError.notFound(tools.ffprobe).message)
            case .timedOut:
                throw JobError(
                    code: .timeout,
                    message: "ffprobe did not finish reading \(subject) within \(timeout.secondsText); the file may be "
                        + "damaged or on a stalled disk; retry, or upload it again")
            case .cancelled:
                throw JobError(code: .internalError, message: "probing \(subject) was cancelled")
            case .launchFailed(let reason):
                throw JobError(
                    code: .internalError, message: MediaToolsError.unusable(tools.ffprobe, reason: reason).message)
            }
        }
    }

    static func checkReadableFile(_ path: String) throws(JobError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw JobError(
                code: .inputUnavailable, message: "the input file \(path) does not exist; upload it again")
        }
        guard !isDirectory.boolValue else {
            throw JobError(code: .invalidInput, message: "the input \(path) is a directory, not a video file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        guard size > 0 else {
            throw JobError(
                code: .invalidInput, message: "the input file is empty (0 bytes); upload the video again")
        }
    }

    /// What ffprobe complained about, in a sentence: its last two messages without the "[mov,mp4 @ 0x…] " and
    /// "file:/path: " prefixes it puts before them, or which container the whitelist refused.
    static func reason(from output: ToolOutput, path: String) -> String {
        let raw = output.stderrText.split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        if let refused = raw.first(where: { $0.contains("not on whitelist") }) {
            let format = refused.hasPrefix("[") ? refused.dropFirst().prefix { $0 != " " && $0 != "]" } : "unknown"
            return "its container format (\(format)) is not accepted"
        }
        var messages: [String] = []
        for line in raw {
            var message = Substring(line)
            if message.hasPrefix("["), let close = message.firstIndex(of: "]") {
                message = message[message.index(after: close)...].drop { $0 == " " }
            }
            for prefix in [FFmpegURL.input(path) + ": ", path + ": "] where message.hasPrefix(prefix) {
                message = message.dropFirst(prefix.count)
            }
            if !message.isEmpty, messages.last != String(message) { messages.append(String(message)) }
        }
        guard !messages.isEmpty else { return "it printed nothing and \(output.status.plainDescription)" }
        return messages.suffix(2).joined(separator: "; ")
    }
}
