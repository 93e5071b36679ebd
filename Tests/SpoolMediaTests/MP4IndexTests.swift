import Foundation
import Testing

@testable import SpoolMedia

/// `MP4Index` stands in for `ffprobe -count_packets` on Spool's MP4 outputs, so it is checked against ffprobe itself
/// on real files, whole and cut short, and must never trap on damaged bytes.
@Suite struct MP4IndexTests {
    /// ffprobe's view of the fields validation reads.
    static func ffprobe(_ path: String) async throws -> FFprobeDocument {
        let result = try await ToolProcess.run(
            "ffprobe",
            arguments: ["-v", "error", "-count_packets", "-show_streams", "-show_format", "-of", "json", path],
            timeout: .seconds(30), clock: ContinuousClock())
        return try #require(FFprobeDocument.decode(result.stdout))
    }

    /// - Parameter cut: the file was cut short, likely inside a sample: ffprobe reads that sample's first part as a
    ///   packet, while the index counts only samples wholly present (a frame cut in half is not a frame).
    static func expectSame(_ ours: FFprobeDocument, _ theirs: FFprobeDocument, _ what: String, cut: Bool = false) {
        #expect(ours.streams.count == theirs.streams.count, "\(what): stream count")
        for (mine, reference) in zip(ours.streams, theirs.streams) {
            #expect(mine.codecType == reference.codecType, "\(what)")
            #expect(mine.codecName == reference.codecName, "\(what)")
            #expect(mine.width == reference.width && mine.height == reference.height, "\(what)")
            #expect(mine.nbFrames == reference.nbFrames, "\(what): \(mine.codecType ?? "") frames")
            let read = (Int(mine.nbReadPackets ?? "") ?? -1, Int(reference.nbReadPackets ?? "") ?? -2)
            if cut {
                #expect(
                    read.0 == read.1 || read.0 == read.1 - 1, "\(what): \(mine.codecType ?? "") packets read \(read)")
            } else {
                #expect(read.0 == read.1, "\(what): \(mine.codecType ?? "") packets read \(read)")
            }
            let durations = (mine.durationSeconds ?? -1, reference.durationSeconds ?? -2)
            #expect(abs(durations.0 - durations.1) < 0.002, "\(what): durations \(durations)")
            if mine.codecType == "video" {
                #expect(abs((mine.frameRate ?? 0) - (reference.frameRate ?? 1)) < 0.01, "\(what): frame rate")
            }
        }
    }

    @Test(arguments: [
        ("h264-aac-faststart.mp4", ["-movflags", "+faststart"], true),
        ("h264-aac-moov-last.mp4", [], true),
        ("h264-video-only.mp4", [], false),
        ("h264-25-to-30fps.mp4", ["-r", "30", "-movflags", "+faststart"], true),
        ("hevc.mp4", ["-c:v", "libx265", "-x265-params", "log-level=none", "-tag:v", "hvc1"], true),
    ])
    func readsWhatFFprobeReadsFromWholeFiles(name: String, extra: [String], audio: Bool) async throws {
        let scratch = try MediaScratch()
        let clip = try await scratch.makeClip(name, seconds: 2, audio: audio, extra: extra)
        let index = try MP4Index.read(path: clip)
        Self.expectSame(FFprobeDocument(index), try await Self.ffprobe(clip), name)
        #expect(index.tracks.allSatisfy { $0.samplesPresent == $0.samples })
    }

    @Test func countsOnlyTheSamplesACutFileStillHolds() async throws {
        let scratch = try MediaScratch()
        let clip = try await scratch.makeClip("whole.mp4", seconds: 3, extra: ["-movflags", "+faststart"])
        let whole = try Data(contentsOf: URL(fileURLWithPath: clip))
        for fraction in [0.3, 0.5, 0.9] {
            let cut = try scratch.write("cut.mp4", whole.prefix(Int(Double(whole.count) * fraction)))
            let index = try MP4Index.read(path: cut)
            let video = try #require(index.tracks.first { $0.kind == "video" })
            #expect(video.samplesPresent < video.samples, "cut at \(fraction)")
            Self.expectSame(FFprobeDocument(index), try await Self.ffprobe(cut), "cut at \(fraction)", cut: true)
        }
    }

    @Test func leavesToFFprobeWhatItDoesNotModel() async throws {
        let scratch = try MediaScratch()
        let fragmented = try await scratch.makeClip(
            "fragmented.mp4", seconds: 2, extra: ["-movflags", "+frag_keyframe+empty_moov"])
        #expect(throws: MP4IndexError.self) { try MP4Index.read(path: fragmented) }
        let text = try scratch.write("text.mp4", Data("not a video at all".utf8))
        #expect(throws: MP4IndexError.self) { try MP4Index.read(path: text) }
        #expect(throws: MP4IndexError.self) { try MP4Index.read(path: scratch.file("missing.mp4")) }
        // The prober falls back to ffprobe for them: the fragmented file still validates.
        let document = try await MediaProber().probeOutput(path: fragmented, countPackets: true)
        #expect(document.primaryVideo?.codecName == "h264")
    }

    @Test func damagedBytesThrowAndNeverTrap() async throws {
        let scratch = try MediaScratch()
        let clip = try await scratch.makeClip("whole.mp4", seconds: 1, extra: ["-movflags", "+faststart"])
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clip)))
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var bytes = whole
            // Damage the index, where a wrong byte changes sizes, counts and offsets.
            let moovEnd = min(bytes.count, 4096)
            for _ in 0..<(1 + round % 8) {
                bytes[Int.random(in: 0..<moovEnd, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            let damaged = try scratch.write("damaged.mp4", Data(bytes.prefix(Int.random(in: 0...bytes.count))))
            // Either outcome is fine; reaching the next round is the test.
            _ = try? MP4Index.read(path: damaged)
        }
    }
}
