import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

/// Segments encoded apart and joined by stream copy against a whole-file encode of the same input, with the real
/// ffmpeg, on the inputs that make cutting hard: B-frames, open GOPs, a variable frame rate, an edit list and a
/// rotation flag.
// Serialized: each case runs several ffmpeg at once, and the suite should not take both cores from the tests
// beside it.
@Suite("segments join exactly, with real ffmpeg", .serialized)
struct SegmentExactnessTests {
    enum Source: String, CaseIterable, CustomStringConvertible {
        case bFrames, openGOP, variableRate, editList, rotated
        var description: String { rawValue }
    }

    /// A usual rendition, and a lossless one at the source's size: its decoded frames must be the source's, bit
    /// for bit, which is the exact check that no frame is duplicated, missing or moved at a seam.
    static let outputs = [
        OutputSpec(name: "out", format: .mp4(video: VideoSettings(codec: .h264, height: 180), audio: AudioSettings())),
        OutputSpec(name: "exact", format: .mp4(video: VideoSettings(codec: .h264, crf: 0), audio: .none)),
    ]

    func make(_ source: Source, _ scratch: borrowing MediaScratch) async throws -> String {
        let gop = ["-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-bf", "3"]
        switch source {
        case .bFrames:
            return try await scratch.makeClip("bframes.mp4", size: "320x180", seconds: 6, extra: gop)
        case .openGOP:
            return try await scratch.makeClip(
                "opengop.mp4", size: "320x180", seconds: 6,
                extra: ["-x264-params", "open-gop=1:keyint=25:min-keyint=25:scenecut=0:bframes=3"])
        case .variableRate:
            // Every fifth frame of a 30 fps picture dropped: gaps of 1/30 and 2/30 s.
            return try await scratch.makeClip(
                "vfr.mp4", size: "320x180", seconds: 6, rate: 30,
                extra: gop + ["-vf", "select='not(eq(mod(n\\,5)\\,2))'", "-fps_mode", "vfr"])
        case .editList:
            // Cut by stream copy away from a key frame: the MP4 keeps the frames before the cut and an edit list
            // that hides them.
            let whole = try await scratch.makeClip("long.mp4", size: "320x180", seconds: 8, extra: gop)
            let output = scratch.file("editlist.mp4")
            try await MediaScratch.ffmpeg(["-v", "error", "-y", "-ss", "1.3", "-i", whole, "-c", "copy", output])
            return output
        case .rotated:
            let plain = try await scratch.makeClip("plain.mp4", size: "320x180", seconds: 6, extra: gop)
            let output = scratch.file("rotated.mp4")
            try await MediaScratch.ffmpeg([
                "-v", "error", "-y", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", output,
            ])
            return output
        }
    }

    static func run(_ arguments: [String]) async throws {
        let result = try await ToolProcess.run(
            "ffmpeg", arguments: arguments, timeout: .seconds(120), clock: ContinuousClock())
        try #require(result.succeeded, "ffmpeg \(arguments.joined(separator: " ")): \(result.stderrText)")
    }

    /// Presentation times of the decoded video frames, in order.
    static func frameTimes(_ path: String) async throws -> [Double] {
        let result = try await ToolProcess.run(
            "ffprobe",
            arguments: [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0", path,
            ],
            timeout: .seconds(60), clock: ContinuousClock())
        try #require(result.succeeded)
        return result.stdoutText.split(whereSeparator: \.isNewline).compactMap {
            Double($0.split(separator: ",").first ?? "")
        }
    }

    /// The audio stream's start and duration.
    static func audioSpan(_ path: String) async throws -> (start: Double, duration: Double) {
        let result = try await ToolProcess.run(
            "ffprobe",
            arguments: [
                "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=start_time,duration", "-of",
                "csv=p=0", path,
            ], timeout: .seconds(60), clock: ContinuousClock())
        let fields = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        return (Double(fields.first ?? "") ?? .nan, Double(fields.last ?? "") ?? .nan)
    }

    /// Every decoded frame as a 16×16 grey picture, in presentation order.
    /// The first audio stream's packet count.
    static func audioPackets(_ path: String) async throws -> Int {
        let result = try await ToolProcess.run(
            "ffprobe",
            arguments: [
                "-v", "error", "-count_packets", "-select_streams", "a:0", "-show_entries", "stream=nb_read_packets",
                "-of", "csv=p=0", path,
            ], timeout: .seconds(60), clock: ContinuousClock())
        return Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The first audio stream decoded to mono 32-bit floats, from its first sample.
    static func samples(_ path: String) async throws -> [Float] {
        let result = try await ToolProcess.run(
            "ffmpeg", arguments: ["-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-f", "f32le", "-"],
            timeout: .seconds(60), clock: ContinuousClock(), outputLimit: 64 * 1024 * 1024)
        return result.stdout.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func signalToNoise(reference: ArraySlice<Float>, _ other: ArraySlice<Float>) -> Double {
        var signal = 0.0
        var noise = 0.0
        for (a, b) in zip(reference, other) {
            signal += Double(a) * Double(a)
            noise += Double(a - b) * Double(a - b)
        }
        return noise == 0 ? .infinity : 10 * log10(signal / noise)
    }

    static func thumbnails(_ path: String) async throws -> [[UInt8]] {
        let result = try await ToolProcess.run(
            "ffmpeg",
            arguments: [
                "-v", "error", "-i", path, "-map", "0:v:0", "-vf", "scale=16:16,format=gray", "-fps_mode",
                "passthrough", "-f", "rawvideo", "-",
            ], timeout: .seconds(60), clock: ContinuousClock())
        try #require(result.succeeded)
        let bytes = [UInt8](result.stdout)
        return stride(from: 0, to: bytes.count - 255, by: 256).map { Array(bytes[$0..<$0 + 256]) }
    }

    /// The MD5 of every decoded frame (framemd5), in presentation order.
    static func frameHashes(_ path: String) async throws -> [String] {
        let result = try await ToolProcess.run(
            "ffmpeg",
            arguments: [
                "-v", "error", "-i", path, "-map", "0:v:0", "-pix_fmt", "yuv420p", "-fps_mode", "passthrough", "-f",
                "framemd5", "-",
            ], timeout: .seconds(60), clock: ContinuousClock())
        try #require(result.succeeded)
        return result.stdoutText.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("#") }.compactMap {
            $0.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    static func firstDifference(_ a: [String], _ b: [String]) -> String {
        guard let index = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset else {
            return "\(a.count) frames against \(b.count)"
        }
        return "frame \(index) differs (of \(a.count) and \(b.count))"
    }

    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
    }

    @Test(arguments: Source.allCases)
    func joinedSegmentsMatchAWholeFileEncode(_ kind: Source) async throws {
        let scratch = try MediaScratch()
        let input = try await make(kind, scratch)
        let prober = MediaProber()
        let source = try await prober.probe(path: input)
        let list = try await prober.videoPackets(path: input)
        let decision = SegmentPlanner.plan(
            SegmentingRequest(mode: .on, seconds: 2), durationSeconds: source.durationSeconds, packets: list.packets,
            outputs: Self.outputs)
        guard case .split(let starts, let frames) = decision else {
            Issue.record("\(kind) was not split: \(decision)")
            return
        }
        #expect(starts.count >= 3, "\(kind): \(starts)")

        let wholeDirectory = scratch.file("whole")
        let whole = TranscodeCommandBuilder.build(
            input: input, source: source, outputs: Self.outputs, path: .cpu, stagingDirectory: wholeDirectory)
        try FileManager.default.createDirectory(atPath: wholeDirectory, withIntermediateDirectories: true)
        try await Self.run(whole.arguments)

        let pieces = scratch.file("pieces")
        var pieceFiles: [Int: [String]] = [:]
        var audioPieces: [String] = []
        let sampleRate = try #require(source.audio?.sampleRate)
        let grid = try #require(try await prober.audioGrid(path: input, sampleRate: sampleRate))
        for task in SegmentPlanner.tasks(
            parent: JobID(rawValue: "parent"), starts: starts, frames: frames, outputs: Self.outputs, audio: grid,
            inputStart: list.inputStart)
        {
            let command: TranscodeCommand
            switch task.piece {
            case .video(_, let output, _):
                guard case .mp4(let video, _) = Self.outputs[output].format else { return }
                command = SegmentCommandBuilder.videoPiece(
                    input: input, source: source, task: task, video: video, path: .cpu,
                    stagingDirectory: pieces)
                pieceFiles[output, default: []].append(task.name + SegmentCommandBuilder.pieceSuffix)
            case .audio(let segment):
                let folder = "\(pieces)/audio-\(segment)"
                command = SegmentCommandBuilder.audioPiece(
                    input: input, task: task, bitrates: [128], inputStart: list.inputStart, stagingDirectory: folder)
                audioPieces.append("\(folder)/\(SegmentCommandBuilder.audioPieceFile(kbps: 128))")
            case .companion:
                command = SegmentCommandBuilder.companion(
                    input: input, source: source, outputs: Self.outputs, stagingDirectory: pieces, audio: false)
            }
            for directory in command.directories {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            try await Self.run(command.arguments)
            if case .video(let segment, _, _) = task.piece {
                let made = try await Self.frameTimes("\(pieces)/\(task.name).mp4").count
                #expect(made == frames[segment], "\(kind): segment \(segment) holds \(made) frames")
            }
            if case .audio = task.piece, let file = audioPieces.last {
                let kept = try ADTSStream.trim(
                    path: file, dropFirst: SegmentCommandBuilder.audioPreRoll(task), keep: task.expectedFrames)
                if let expected = task.expectedFrames { #expect(kept == expected) }
            }
        }
        let listPath = "\(pieces)/list.ffconcat"
        try SegmentCommandBuilder.concatList(pieces: pieceFiles[0] ?? [], starts: starts)
            .write(toFile: listPath, atomically: true, encoding: .utf8)
        let joined = scratch.file("joined.mp4")
        let joinedAudioFile = "\(pieces)/\(SegmentCommandBuilder.audioPieceFile(kbps: 128))"
        try ADTSStream.concatenate(audioPieces, into: joinedAudioFile)
        try await Self.run(
            SegmentCommandBuilder.joinMP4(
                concatList: listPath, audio: joinedAudioFile, firstFrameOffset: starts[0] - list.inputStart,
                audioOffset: SegmentCommandBuilder.joinedAudioOffset(grid, inputStart: list.inputStart),
                output: joined))

        // The same frames at the same times.
        let wholeTimes = try await Self.frameTimes("\(wholeDirectory)/out.mp4")
        let joinedTimes = try await Self.frameTimes(joined)
        #expect(
            joinedTimes.count == wholeTimes.count, "\(kind): \(joinedTimes.count) frames, whole \(wholeTimes.count)")
        #expect(joinedTimes.count == frames.reduce(0, +))
        let worst = zip(wholeTimes, joinedTimes).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 0.001, "\(kind): timestamps differ by up to \(worst) s")

        // Audio encoded in pieces on the AAC frame grid: it starts and lasts as in the whole-file encode, frame for
        // frame, and around every seam it decodes to what the whole-file encode decodes to (a piece off by one frame,
        // 23 ms of a 440 Hz tone, would differ by about as much as the tone itself).
        let audioFrame = grid.frameSeconds
        let (wholeAudio, joinedAudio) = (
            try await Self.audioSpan("\(wholeDirectory)/out.mp4"), try await Self.audioSpan(joined)
        )
        #expect(abs(wholeAudio.start - joinedAudio.start) <= audioFrame, "\(kind): audio starts \(joinedAudio.start)")
        #expect(abs(wholeAudio.duration - joinedAudio.duration) <= audioFrame)
        #expect(
            try await Self.audioPackets("\(wholeDirectory)/out.mp4") == (try await Self.audioPackets(joined)),
            "\(kind): a different number of AAC frames")
        let wholeSamples = try await Self.samples("\(wholeDirectory)/out.mp4")
        let joinedSamples = try await Self.samples(joined)
        #expect(wholeSamples.count == joinedSamples.count)
        for seam in starts.dropFirst() {
            let at = Int(((seam - list.inputStart) * Double(sampleRate)).rounded())
            let window = max(0, at - 2_048)..<min(wholeSamples.count, joinedSamples.count, at + 2_048)
            let snr = Self.signalToNoise(reference: wholeSamples[window], joinedSamples[window])
            #expect(snr > 20, "\(kind): around the seam at \(seam) s the audio differs (\(snr) dB)")
        }
        for seam in starts.dropFirst() {
            // The video frame at each seam sits where the input has it, against audio that never restarts.
            let index = try #require(wholeTimes.firstIndex { $0 >= seam - starts[0] - 0.001 })
            #expect(abs(joinedTimes[index] - wholeTimes[index]) <= audioFrame)
        }

        // The lossless output, joined the same way, decodes to the source's own frames: every hash equal, so at no
        // seam is a frame duplicated, missing or moved.
        let exactList = "\(pieces)/exact.ffconcat"
        try SegmentCommandBuilder.concatList(pieces: pieceFiles[1] ?? [], starts: starts)
            .write(toFile: exactList, atomically: true, encoding: .utf8)
        let exact = scratch.file("exact.mp4")
        try await Self.run(
            SegmentCommandBuilder.joinMP4(
                concatList: exactList, audio: nil, firstFrameOffset: starts[0] - list.inputStart, output: exact))
        let sourceHashes = try await Self.frameHashes(input)
        let exactHashes = try await Self.frameHashes(exact)
        #expect(sourceHashes.count == frames.reduce(0, +))
        #expect(exactHashes == sourceHashes, "\(kind): \(Self.firstDifference(exactHashes, sourceHashes))")

        // The lossy output too: each frame around a cut looks most like the source frame at its own position.
        let sourcePictures = try await Self.thumbnails(input)
        let joinedPictures = try await Self.thumbnails(joined)
        #expect(sourcePictures.count == joinedPictures.count)
        var cut = 0
        for count in frames.dropLast() {
            cut += count
            for index in (cut - 2)...(cut + 1) where index > 0 && index + 1 < sourcePictures.count {
                let own = Self.distance(joinedPictures[index], sourcePictures[index])
                let before = Self.distance(joinedPictures[index], sourcePictures[index - 1])
                let after = Self.distance(joinedPictures[index], sourcePictures[index + 1])
                #expect(own < before && own < after, "\(kind): frame \(index) at the seam after frame \(cut)")
            }
        }
    }

    /// Listing a long input in stretches, by several ffprobe at once, finds every packet exactly once: the same list
    /// as one ffprobe, so the same plan.
    @Test(arguments: Source.allCases)
    func listingInStretchesFindsEveryPacketOnce(_ kind: Source) async throws {
        let scratch = try MediaScratch()
        let input = try await make(kind, scratch)
        let prober = MediaProber()
        let source = try await prober.probe(path: input)
        let serial = try await prober.videoPackets(path: input)
        let stretched = try await prober.videoPackets(
            path: input, durationSeconds: source.durationSeconds, processes: 3, minimumSeconds: 0)
        let order = { (a: SegmentPlanner.VideoPacket, b: SegmentPlanner.VideoPacket) in
            (a.pts ?? 0, a.isKey ? 1 : 0, a.isDiscarded ? 1 : 0) < (b.pts ?? 0, b.isKey ? 1 : 0, b.isDiscarded ? 1 : 0)
        }
        #expect(stretched.inputStart == serial.inputStart)
        #expect(stretched.packets.count == serial.packets.count, "\(kind)")
        #expect(stretched.packets.sorted(by: order) == serial.packets.sorted(by: order), "\(kind)")
        let request = SegmentingRequest(mode: .on, seconds: 2)
        #expect(
            SegmentPlanner.plan(
                request, durationSeconds: source.durationSeconds, packets: stretched.packets, outputs: Self.outputs)
                == SegmentPlanner.plan(
                    request, durationSeconds: source.durationSeconds, packets: serial.packets, outputs: Self.outputs))
    }

    @Test func hlsCutsFallOnEverySeamAndOnTheLadderGridBetween() {
        // Seams at 5 and 10, 2-second HLS segments: the grid inside each segment, a seam wherever one is, and no
        // sliver (4 is 1 s before the seam at 5, 12 is 1 s before the end at 13).
        #expect(HLSCuts.times(starts: [0, 5, 10], end: 13, segmentSeconds: 2) == [2, 5, 6, 8, 10])
        #expect(
            HLSCuts.times(starts: [1.5, 31.5], end: 61.5, segmentSeconds: 6) == [
                7.5, 13.5, 19.5, 25.5, 31.5, 37.5, 43.5, 49.5, 55.5,
            ])
        // Each rendition's pieces force key frames at the cuts inside them, relative to their first frame.
        let ladder = OutputSpec(
            name: "hls", format: .hls(renditions: [Rendition(video: VideoSettings(height: 180))], segmentSeconds: 2))
        let tasks = SegmentPlanner.tasks(
            parent: JobID(rawValue: "p"), starts: [0, 5, 10], frames: [125, 125, 75], outputs: [ladder],
            audio: AudioGrid(start: 0, sampleRate: 48_000), end: 13)
        #expect(tasks.map(\.keyFrames) == [[2], [1, 3], [], nil, nil, nil])
        #expect(tasks.first?.hlsSegmentSeconds == 2)
    }

    @Test func plannerCutsAtKeyFramesAndSaysWhyItWillNot() {
        let packets = (0..<300).map { SegmentPlanner.VideoPacket(pts: Double($0) / 10, isKey: $0 % 20 == 0) }
        let request = SegmentingRequest(mode: .auto, seconds: 5)
        let mp4 = Self.outputs
        // 30 s is under the automatic threshold; `on` splits it.
        #expect(
            SegmentPlanner.plan(request, durationSeconds: 30, packets: packets, outputs: mp4) == .whole(reason: nil))
        let split = SegmentPlanner.plan(
            SegmentingRequest(mode: .on, seconds: 5), durationSeconds: 30, packets: packets, outputs: mp4)
        #expect(split == .split(starts: [0, 6, 12, 18, 24], frames: [60, 60, 60, 60, 60]))
        #expect(
            SegmentPlanner.plan(SegmentingRequest(mode: .off), durationSeconds: 999, packets: packets, outputs: mp4)
                == .whole(reason: nil))
        // One key frame only: nothing to cut at.
        let oneKey = packets.map { SegmentPlanner.VideoPacket(pts: $0.pts, isKey: $0.pts == 0) }
        guard
            case .whole(let reason?) = SegmentPlanner.plan(
                SegmentingRequest(mode: .on, seconds: 5), durationSeconds: 30, packets: oneKey, outputs: mp4)
        else { Issue.record("split without key frames"); return }
        #expect(reason.contains("key frame"))
        // Packets without timestamps, a frame rate change, an HLS ladder: whole, each with its reason.
        let untimed = packets.map { SegmentPlanner.VideoPacket(pts: nil, isKey: $0.isKey) }
        if case .whole(let reason?) = SegmentPlanner.plan(
            SegmentingRequest(mode: .on, seconds: 5), durationSeconds: 30, packets: untimed, outputs: mp4)
        {
            #expect(reason.contains("timestamps"))
        } else {
            Issue.record("split without timestamps")
        }
        let fps = [
            OutputSpec(name: "f", format: .mp4(video: VideoSettings(height: 180, fps: 24), audio: AudioSettings()))
        ]
        if case .whole(let reason?) = SegmentPlanner.plan(
            SegmentingRequest(mode: .on, seconds: 5), durationSeconds: 30, packets: packets, outputs: fps)
        {
            #expect(reason.contains("fps"))
        } else {
            Issue.record("split with an fps change")
        }
        // The tail after the last cut is never shorter than half a segment.
        let tail = SegmentPlanner.plan(
            SegmentingRequest(mode: .on, seconds: 4), durationSeconds: 30, packets: packets, outputs: mp4)
        if case .split(let starts, _) = tail { #expect(29.9 - starts.last! >= 2) } else { Issue.record("no split") }
    }
}
