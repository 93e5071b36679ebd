import Foundation
import SpoolCore
import TestSupport
import TestThreads
import Testing

@testable import SpoolMedia

/// An MP4 or MOV input is described from its own index instead of by ffprobe; the description must be ffprobe's, and
/// anything the index does not model (other containers, rotated video, damaged or unreadable files) goes to ffprobe.
@Suite struct InputIndexProbeTests {
    /// ffprobe's description of the input, as `MediaProber.probe` made it before.
    static func ffprobe(_ path: String) async throws -> MediaInfo {
        let result = try await ToolProcess.run(
            "ffprobe", arguments: ["-v", "error", "-show_streams", "-show_format", "-of", "json", path],
            timeout: .seconds(30), clock: ContinuousClock())
        return try MediaInfo.parse(ffprobeJSON: result.stdout)
    }

    static func expectSame(_ ours: MediaInfo, _ theirs: MediaInfo, _ what: String) {
        #expect(ours.formatName == theirs.formatName, "\(what)")
        #expect(abs(ours.durationSeconds - theirs.durationSeconds) < 0.002, "\(what): duration")
        #expect(ours.video?.codec == theirs.video?.codec, "\(what)")
        #expect(ours.video?.width == theirs.video?.width && ours.video?.height == theirs.video?.height, "\(what)")
        #expect(abs((ours.video?.frameRate ?? 0) - (theirs.video?.frameRate ?? 1)) < 0.01, "\(what): frame rate")
        #expect(
            abs((ours.video?.durationSeconds ?? -1) - (theirs.video?.durationSeconds ?? -2)) < 0.002,
            "\(what): video duration")
        #expect(ours.video?.frameCount == theirs.video?.frameCount, "\(what): frames")
        #expect(ours.audio == theirs.audio, "\(what): audio")
    }

    /// - Parameter fromIndex: whether the index must answer (a MOV file may be left to ffprobe); either way the
    ///   description is ffprobe's.
    @Test(arguments: [
        ("h264-aac-faststart.mp4", ["-movflags", "+faststart"], true, true),
        ("h264-aac-moov-last.mp4", [], true, true),
        ("h264-video-only.mp4", [], false, true),
        ("h264-aac-48k-stereo.mp4", ["-ar", "48000", "-ac", "2", "-r", "30"], true, true),
        ("h264-30fps.mov", ["-r", "30"], true, false),
    ])
    func describesMP4InputsAsFFprobeDoes(name: String, extra: [String], audio: Bool, fromIndex: Bool) async throws {
        let scratch = try MediaScratch()
        let clip = try await scratch.makeClip(name, seconds: 2, audio: audio, extra: extra)
        let reference = try await Self.ffprobe(clip)
        if fromIndex {
            let ours = try #require(try MediaProber.probeOwnIndex(path: clip), "\(name) should be read from its index")
            Self.expectSame(ours, reference, name)
        }
        Self.expectSame(try await MediaProber().probe(path: clip), reference, name)
    }

    /// HE-AAC at a low core rate may carry SBR that only decoding reveals (ffprobe then reports twice the rate):
    /// such audio is left to ffprobe.
    @Test func leavesLowRateAACToFFprobe() async throws {
        let scratch = try MediaScratch()
        let clip = try await scratch.makeClip("low-rate.mp4", seconds: 2, extra: ["-ar", "22050"])
        #expect(try MediaProber.probeOwnIndex(path: clip) == nil)
        #expect(try await MediaProber().probe(path: clip).audio?.sampleRate == 22050)
    }

    @Test func leavesOtherContainersAndRotatedVideoToFFprobe() async throws {
        let scratch = try MediaScratch()
        let plain = try await scratch.makeClip("plain.mp4", seconds: 2)
        let matroska = scratch.file("clip.mkv")
        try await MediaScratch.ffmpeg(["-v", "error", "-y", "-i", plain, "-c", "copy", matroska])
        let rotated = scratch.file("rotated.mp4")
        try await MediaScratch.ffmpeg([
            "-v", "error", "-y", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated,
        ])
        #expect(try MediaProber.probeOwnIndex(path: matroska) == nil)
        #expect(try MediaProber.probeOwnIndex(path: rotated) == nil)
        // ffprobe still answers for them, with the rotated clip's upright size.
        let upright = try #require(try await MediaProber().probe(path: rotated).video)
        #expect(upright.width == 360 && upright.height == 640)
        #expect(try await MediaProber().probe(path: matroska).video?.width == 640)
    }

    @Test func damagedMP4InputsAreStillRefused() async throws {
        let scratch = try MediaScratch()
        let clip = try await scratch.makeClip("whole.mp4", seconds: 2, extra: ["-movflags", "+faststart"])
        let whole = try Data(contentsOf: URL(fileURLWithPath: clip))
        // Only the file-type box and the start of the index: neither the index nor ffprobe can read it.
        let cut = try scratch.write("cut.mp4", whole.prefix(200))
        #expect(try MediaProber.probeOwnIndex(path: cut) == nil)
        await #expect(throws: JobError.self) { try await MediaProber().probe(path: cut) }
        // A file that only claims to be an MP4.
        let junk = try scratch.write("junk.mp4", Data("\u{0}\u{0}\u{0}\u{10}ftypisom junk junk junk".utf8))
        let error = await #expect(throws: JobError.self) { try await MediaProber().probe(path: junk) }
        #expect(error?.code == .invalidInput)
    }

    /// Inputs are untrusted: a mangled index must be refused or left to ffprobe, never trap the worker (and with it
    /// `spool serve`). Random bytes of the index overwritten, seeded so a failure repeats, plus sizes and counts at
    /// their largest where a sum could overflow.
    @Test func mangledIndexesNeverTrapTheReader() async throws {
        let scratch = try MediaScratch()
        // The clips are made from the cooperative pool: ffmpeg runs under a timeout, and on the CPU-bound executor
        // the resumptions of its run queue behind minutes of simulations until the timeout fires (CI on 5e03492).
        var clips: [String] = []
        for layout in [["-movflags", "+faststart"], []] {
            clips.append(try await scratch.makeClip("fuzz\(layout.count).mp4", seconds: 2, extra: layout))
        }
        let mangled = scratch.file("mangled.mp4")
        // Some 1,800 reads by a debug build's parser are seconds of computing, with nothing to wait for: they run on
        // the CPU-bound executor's threads, not on the cooperative pool every other test awaits on.
        try await withTaskExecutorPreference(CPUBoundExecutor.shared) {
            try Self.mangle(clips, into: mangled)
        }
    }

    /// The fuzzer's reads, each clip's index mangled in turn.
    static func mangle(_ clips: [String], into mangled: String) throws {
        var random = SeededGenerator(seed: 0x5EED)
        for clip in clips {
            let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clip)))
            let moov = try #require(Self.offset(of: "moov", in: original)) - 4
            for _ in 0..<400 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...6, using: &random) {
                    let at = Int.random(in: moov..<min(moov + 4_096, bytes.count), using: &random)
                    bytes[at] = [0x00, 0xFF, 0x01, 0x7F, UInt8.random(in: 0...255, using: &random)].randomElement(
                        using: &random)!
                }
                try Self.overwrite(mangled, with: bytes)
                _ = try? MediaProber.probeOwnIndex(path: mangled)
            }
            // Every 32-bit field of the index at its largest, one at a time: sample counts, durations, sizes, offsets.
            for field in moov..<min(moov + 2_048, original.count - 4) {
                var bytes = original
                bytes.replaceSubrange(field..<field + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
                try Self.overwrite(mangled, with: bytes)
                _ = try? MediaProber.probeOwnIndex(path: mangled)
            }
            // The first timing entry of each track: 2^32 − 1 samples of 2^32 − 1 ticks, a sum past Int.max.
            var timings = original
            var search = moov
            while let stts = Self.offset(of: "stts", in: Array(timings[search...])).map({ $0 + search }) {
                timings.replaceSubrange(stts + 12..<stts + 20, with: [UInt8](repeating: 0xFF, count: 8))
                search = stts + 4
            }
            try Self.overwrite(mangled, with: timings)
            #expect(try MediaProber.probeOwnIndex(path: mangled) == nil)
            // A 64-bit box size of Int.max on the index itself.
            var large = original
            large.replaceSubrange(moov..<moov + 4, with: [0, 0, 0, 1])
            large.insert(contentsOf: [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], at: moov + 8)
            try Self.overwrite(mangled, with: large)
            #expect(try MediaProber.probeOwnIndex(path: mangled) == nil)
        }
    }

    /// Replaces a file's bytes without `fsync`, which `Data.write` does on Linux: the fuzzer writes some 1,800 files,
    /// and that many syncs stall the disk for every other test of a loaded CI machine.
    static func overwrite(_ path: String, with bytes: [UInt8]) throws {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: bytes)
    }

    static func offset(of type: String, in bytes: [UInt8]) -> Int? {
        let pattern = Array(type.utf8)
        return bytes.indices.dropLast(pattern.count).first { Array(bytes[$0..<$0 + pattern.count]) == pattern }
    }
}
