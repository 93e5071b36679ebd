import Foundation
import SpoolCore

/// The ffmpeg argv of a segmented job's tasks and of its join. Pure, like `TranscodeCommandBuilder`, whose encoder
/// settings every segment shares, so that segments encoded on different workers meet without a visible seam.
public enum SegmentCommandBuilder {
    /// Half a millisecond: cuts fall just before a frame's timestamp, never on it, whatever rounding the time base
    /// does (frames are at least a millisecond apart below 1,000 fps).
    static let margin = 0.000_5
    public static let pieceSuffix = ".mp4"

    static func header(_ path: EncodePath) -> [String] {
        var arguments = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1", "-y"]
        switch path {
        case .cpu: break
        case .opencl(let selector):
            arguments += ["-init_hw_device", "opencl=ocl:\(selector)", "-filter_hw_device", "ocl"]
        case .cuda(let gpuIndex, _):
            arguments += ["-hwaccel", "cuda", "-hwaccel_device", "\(gpuIndex)", "-hwaccel_output_format", "cuda"]
        }
        return arguments
    }

    static func seconds(_ value: Double) -> String { String(format: "%.6f", value) }

    /// One segment of one rendition's video. The input keeps its own timestamps (`-copyts`), decoding starts at the
    /// segment's key frame, and `trim` keeps exactly the frames with `start ≤ pts < end` (for an open GOP, the
    /// leading frames that belong to the previous segment are dropped here and made there). Timestamps then start
    /// at 0 and pass through unchanged (`-fps_mode vfr`: no frame repeated or dropped, as the planner refused
    /// inputs with repeated timestamps), as in a whole-file encode.
    public static func videoPiece(
        input: String, source: MediaInfo, task: SegmentTask, video: VideoSettings,
        path: EncodePath, stagingDirectory: String, threads: Int? = nil, encoderSpeed: EncoderSpeed = .standard
    ) -> TranscodeCommand {
        let staging = TranscodeCommandBuilder.normalized(stagingDirectory)
        var arguments = header(path)
        arguments += ["-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist]
        arguments.append("-copyts")
        if let seekTo = task.seekTo {
            arguments += ["-ss", seconds(seekTo), "-noaccurate_seek"]
        }
        arguments += ["-i", FFmpegURL.input(input)]
        var trim: [String] = []
        if let start = task.start { trim.append("start=\(seconds(start - margin))") }
        if let end = task.end { trim.append("end=\(seconds(end - margin))") }
        let plan = TranscodeCommandBuilder.Plan(
            path: path, source: source, staging: staging, threads: threads, encoderSpeed: encoderSpeed)
        let chain = plan.videoChain(video)
        let cut = (trim.isEmpty ? [] : ["trim=" + trim.joined(separator: ":")]) + ["setpts=PTS-STARTPTS"]
        arguments += ["-filter_complex", "[0:v:0]\((cut + [chain]).joined(separator: ","))[v0]"]
        let file = task.name + pieceSuffix
        arguments += ["-map", "[v0]", "-an"]
        // A rendition of a ladder gets the ladder's encoder settings, and key frames where its HLS segments will be
        // cut (each piece starts on one anyway).
        arguments += plan.videoEncoder(video, stream: ":v", hls: task.hlsSegmentSeconds != nil)
        if let keyFrames = task.keyFrames, !keyFrames.isEmpty {
            arguments += ["-force_key_frames:v", keyFrames.map(seconds).joined(separator: ",")]
        }
        arguments += ["-fps_mode", "vfr"]
        arguments += plan.threadArguments
        arguments += ["-f", "mp4", "\(staging)/\(file)"]
        let spec = OutputSpec(name: task.name, format: .mp4(video: video, audio: .none))
        return TranscodeCommand(
            arguments: arguments, outputs: [PlannedOutput(spec: spec, primaryPath: file)], directories: [staging])
    }

    /// The pieces (shifted by the first frame's distance from the input's start, as a whole-file encode leaves
    /// them) and the companion's audio, mapped for a stream copy.
    static func concatInputs(concatList: String, audio: String?, firstFrameOffset: Double, audioOffset: Double?)
        -> [String]
    {
        var arguments = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1", "-y"]
        if abs(firstFrameOffset) > margin { arguments += ["-itsoffset", seconds(firstFrameOffset)] }
        arguments += [
            "-protocol_whitelist", "file,pipe", "-f", "concat", "-safe", "0", "-i", FFmpegURL.input(concatList),
        ]
        if let audio {
            // Joined audio pieces (ADTS, no timestamps) start where a whole-file encode's audio does: its first
            // (priming) frame one frame before the first sample.
            if let audioOffset { arguments += ["-itsoffset", String(format: "%.9f", audioOffset)] }
            arguments += ["-i", FFmpegURL.input(audio)]
        }
        arguments += ["-map", "0:v:0"]
        if audio != nil { arguments += ["-map", "1:a:0"] }
        return arguments
    }

    /// The bitrates the companion encodes the audio at (one file each), ascending: every one the outputs ask for.
    public static func companionAudioBitrates(_ outputs: [OutputSpec]) -> [Int] {
        Set(outputs.flatMap(\.audioBitratesKbps)).sorted()
    }

    /// The audio file the companion makes at one bitrate.
    public static func audioFile(kbps: Int) -> String { "audio-\(kbps).m4a" }

    /// The file an audio piece makes at one bitrate, and the joined audio: AAC in ADTS frames.
    public static func audioPieceFile(kbps: Int) -> String { "audio-\(kbps).aac" }

    /// Frames an audio piece encodes past its end, so the encoder's look-ahead sees what follows its last kept frame.
    static let audioTailFrames = 2

    /// Frames the piece's encode begins before its first kept frame (none for the first piece, which starts where a
    /// whole-file encode does).
    public static func audioPreRoll(_ task: SegmentTask) -> Int { task.start == nil ? 0 : AudioGrid.preRollFrames }

    /// One segment of the audio at every bitrate in `bitrates`: the input keeps its timestamps (`-copyts`), decoding
    /// starts a second before the pre-roll (a coarse seek) and `atrim` cuts at exact samples on the input's timeline,
    /// from the pre-roll to just past the segment's end. The worker then keeps the piece's own frames
    /// (`ADTSStream.trim`): frame for frame, those a whole-file encode makes at the same places.
    public static func audioPiece(
        input: String, task: SegmentTask, bitrates: [Int], inputStart: Double, stagingDirectory: String,
        threads: Int? = nil
    ) -> TranscodeCommand {
        let staging = TranscodeCommandBuilder.normalized(stagingDirectory)
        let grid = task.audioGrid ?? AudioGrid(start: inputStart, sampleRate: 48_000)
        let exact = { (value: Double) in String(format: "%.9f", value) }
        var arguments = header(.cpu)
        arguments += ["-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist]
        arguments += ["-copyts"]
        var trim: [String] = []
        if let start = task.start {
            let from = start - Double(audioPreRoll(task)) * grid.frameSeconds
            arguments += ["-ss", seconds(max(0, from - 1 - inputStart)), "-noaccurate_seek"]
            trim.append("start=\(exact(from))")
        }
        if let end = task.end { trim.append("end=\(exact(end + Double(audioTailFrames) * grid.frameSeconds))") }
        arguments += ["-i", FFmpegURL.input(input)]
        let threadArguments = threads.map { ["-threads", "\($0)"] } ?? []
        for kbps in bitrates {
            arguments += ["-map", "0:a:0", "-vn"]
            if !trim.isEmpty { arguments += ["-af", "atrim=" + trim.joined(separator: ":")] }
            arguments += ["-c:a", "aac", "-b:a", "\(kbps)k"] + threadArguments
            arguments += ["-f", "adts", "\(staging)/\(audioPieceFile(kbps: kbps))"]
        }
        return TranscodeCommand(arguments: arguments, outputs: [], directories: [staging])
    }

    /// Everything a segmented job makes from the whole input: its audio at each bitrate its outputs ask (encoded
    /// once, so no seam can drift) and its thumbnails (under the outputs' own names). It decodes on the CPU
    /// whatever the pool: audio and a few stills need no GPU.
    public static func companion(
        input: String, source: MediaInfo, outputs: [OutputSpec], stagingDirectory: String,
        threads: Int? = nil, audio: Bool = true
    ) -> TranscodeCommand {
        let staging = TranscodeCommandBuilder.normalized(stagingDirectory)
        var arguments = header(.cpu)
        arguments += ["-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist]
        arguments += ["-i", FFmpegURL.input(input)]
        var plan = TranscodeCommandBuilder.Plan(
            path: .cpu, source: source, staging: staging, threads: threads, encoderSpeed: .standard)
        var planned: [PlannedOutput] = []
        var directories = [staging]
        for (index, spec) in outputs.enumerated() {
            guard case .thumbnails(let everySeconds, let count, let height) = spec.format else { continue }
            let base = TranscodeCommandBuilder.baseName(spec.name, index: index)
            plan.addThumbnails(everySeconds: everySeconds, count: count, height: height, folder: base)
            planned.append(PlannedOutput(spec: spec, primaryPath: "\(base)/\(OutputLayout.firstThumbnail)"))
            directories.append("\(staging)/\(base)")
        }
        if !plan.chains.isEmpty { arguments += ["-filter_complex", plan.filterGraph] }
        arguments += plan.outputArguments
        if audio, source.audio != nil {
            for kbps in companionAudioBitrates(outputs) {
                arguments += ["-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "\(kbps)k"]
                arguments += plan.threadArguments
                arguments += ["-f", "mp4", "\(staging)/\(audioFile(kbps: kbps))"]
            }
        }
        return TranscodeCommand(arguments: arguments, outputs: planned, directories: directories)
    }

    /// The concat demuxer's list: each piece with the exact length of its segment (the next cut minus its own), so
    /// the joined timestamps are the input's own, not sums of rounded container durations.
    public static func concatList(pieces: [String], starts: [Double]) -> String {
        var lines = ["ffconcat version 1.0"]
        for (index, piece) in pieces.enumerated() {
            lines.append("file '\(piece.replacingOccurrences(of: "'", with: "'\\''"))'")
            if index + 1 < starts.count, index + 1 < pieces.count {
                lines.append("duration \(seconds(starts[index + 1] - starts[index]))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where joined audio pieces go on the output's timeline (`-itsoffset`): the first frame of a whole-file encode's
    /// audio is its priming frame, one frame before the first sample.
    public static func joinedAudioOffset(_ grid: AudioGrid, inputStart: Double) -> Double {
        grid.start - inputStart - grid.frameSeconds
    }

    /// Joins one MP4 output by stream copy: the pieces in order, then the audio (joined pieces, or the companion's
    /// from plans made before audio was cut), `+faststart`. The
    /// video is shifted by the first frame's distance from the input's start, as a whole-file encode leaves it.
    public static func joinMP4(
        concatList: String, audio: String?, firstFrameOffset: Double, audioOffset: Double? = nil, output: String
    ) -> [String] {
        var arguments = concatInputs(
            concatList: concatList, audio: audio, firstFrameOffset: firstFrameOffset, audioOffset: audioOffset)
        arguments += ["-c", "copy", "-movflags", "+faststart", "-f", "mp4", output]
        return arguments
    }

    /// Cuts one rendition of a ladder by stream copy into MPEG-TS segments at exactly `cuts` (seconds on the
    /// output's timeline, where the pieces forced key frames) and nowhere else, with a finished variant playlist.
    public static func joinHLSRendition(
        concatList: String, audio: String?, firstFrameOffset: Double, audioOffset: Double? = nil, cuts: [Double],
        directory: String
    ) -> [String] {
        var arguments = concatInputs(
            concatList: concatList, audio: audio, firstFrameOffset: firstFrameOffset, audioOffset: audioOffset)
        // Timestamps as they are (the MPEG-TS muxer adds its own delay): shifting them for B-frames' negative decode
        // times would lengthen the first segment by the reorder delay.
        arguments += ["-c", "copy", "-avoid_negative_ts", "disabled", "-f", "segment", "-segment_format", "mpegts"]
        if !cuts.isEmpty {
            arguments += ["-segment_times", cuts.map(seconds).joined(separator: ","), "-segment_time_delta", "0.0005"]
        } else {
            arguments += ["-segment_time", "86400"]
        }
        arguments += [
            "-segment_list", "\(directory)/\(OutputLayout.variantPlaylist)", "-segment_list_type", "m3u8",
            "\(directory)/\(OutputLayout.segmentPattern)",
        ]
        return arguments
    }

    /// Where a ladder's master playlist lies under its output folder, and each rendition's folder.
    public static func masterPlaylistPath(_ folder: String) -> String { "\(folder)/\(OutputLayout.masterPlaylist)" }
    public static func renditionFolder(_ folder: String, _ index: Int) -> String {
        "\(folder)/\(OutputLayout.variantName(index))"
    }

    /// The master playlist of a joined ladder: each rendition with the peak and average bitrate its segments
    /// actually have (what players choose by) and its size.
    public static func masterPlaylist(folder: String, renditions: [Rendition], source: MediaInfo) -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
        for (index, rendition) in renditions.enumerated() {
            let size = FrameSize.target(width: rendition.video.width, height: rendition.video.height, source: source)
            let name = OutputLayout.variantName(index)
            let directory = "\(folder)/\(name)"
            var peak = 0.0
            var bits = 0.0
            var seconds = 0.0
            if let text = try? String(contentsOfFile: "\(directory)/\(OutputLayout.variantPlaylist)", encoding: .utf8),
                let playlist = HLSPlaylist.parse(text)
            {
                for (uri, duration) in zip(playlist.uris, playlist.segmentDurations) where duration > 0 {
                    let bytes =
                        (try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(uri)")[.size] as? NSNumber)?
                        .doubleValue ?? 0
                    peak = max(peak, bytes * 8 / duration)
                    bits += bytes * 8
                    seconds += duration
                }
            }
            let average = seconds > 0 ? bits / seconds : 0
            lines.append(
                "#EXT-X-STREAM-INF:BANDWIDTH=\(max(1, Int(peak.rounded(.up)))),"
                    + "AVERAGE-BANDWIDTH=\(max(1, Int(average.rounded(.up)))),RESOLUTION=\(size.width)x\(size.height)")
            lines.append("\(name)/\(OutputLayout.variantPlaylist)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
