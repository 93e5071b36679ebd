import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

@Suite("MediaProber with real ffprobe")
struct MediaProberTests {
    func rejection(_ path: String) async -> JobError? {
        do {
            _ = try await MediaProber().probe(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test func probesAGeneratedClip() async throws {
        let scratch = try MediaScratch()
        let clip = try await scratch.makeClip("clip:1.mp4", size: "320x240", seconds: 2, rate: 30)
        let info = try await MediaProber().probe(path: clip)
        #expect(info.formatName.contains("mp4"))
        #expect(info.video?.codec == "h264" && info.video?.width == 320 && info.video?.height == 240)
        #expect(info.video?.frameRate == 30 && info.video?.frameCount == 60)
        #expect(abs(info.videoDurationSeconds - 2) < 0.01)
        #expect(info.audio?.codec == "aac" && info.audio?.sampleRate == 44100)
    }

    @Test(
        "empty, random, text, audio-only and image files are invalid input",
        arguments: [
            "empty", "random", "text", "audio", "image", "playlist",
        ])
    func badInputs(kind: String) async throws {
        let scratch = try MediaScratch()
        let path: String
        switch kind {
        case "empty": path = try scratch.write("empty.mp4", Data())
        case "random": path = try scratch.write("random.mp4", Data((0..<5000).map { _ in UInt8.random(in: 0...255) }))
        case "text": path = try scratch.write("notes.mp4", Data("these are not the frames you are looking for\n".utf8))
        case "audio":
            path = scratch.file("tone.m4a")
            try await MediaScratch.ffmpeg([
                "-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine", "-t", "1", "-c:a", "aac", path,
            ])
        case "image":
            path = scratch.file("still.jpg")
            try await MediaScratch.ffmpeg([
                "-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2", "-frames:v", "1", path,
            ])
        default:
            // A playlist that would make ffmpeg read a local file: refused by the container whitelist.
            path = try scratch.write(
                "video.mp4",
                Data("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n".utf8))
        }
        let error = try #require(await rejection(path))
        #expect(error.code == .invalidInput, "\(kind): \(error.message)")
        #expect(error.message.contains("upload"), "\(kind): \(error.message)")
        #expect(!error.message.contains("file:"), "\(kind): \(error.message)")
        if kind == "image" || kind == "playlist" {
            #expect(error.message.contains("is not accepted"), "\(kind): \(error.message)")
        }
    }

    @Test func missingFileIsUnavailableNotInvalid() async throws {
        let scratch = try MediaScratch()
        let error = try #require(await rejection(scratch.file("gone.mp4")))
        #expect(error.code == .inputUnavailable)
        #expect(error.isRetryable)
    }

    @Test func missingFFprobeIsReported() async throws {
        let scratch = try MediaScratch()
        // Matroska: an MP4 is described from its own index without ffprobe.
        let clip = try await scratch.makeClip("clip.mkv", size: "160x120", seconds: 1, audio: false)
        do {
            _ = try await MediaProber(tools: MediaTools(ffprobe: "/nonexistent/ffprobe")).probe(path: clip)
            Issue.record("probe succeeded without ffprobe")
        } catch {
            #expect(error.code == .internalError)
            #expect(error.message.contains("/nonexistent/ffprobe not found"))
        }
    }

    @Test func probeOfAFIFOTimesOutAndKillsFFprobe() async throws {
        let scratch = try MediaScratch()
        let fifo = scratch.file("never-written")
        try #require(ProcessChecks.makeFIFO(fifo))
        // checkReadableFile wants a non-empty regular file, so go one level down, as the validator does.
        do {
            _ = try await MediaProber(timeout: .milliseconds(300)).probeOutput(path: fifo, countPackets: false)
            Issue.record("probing a FIFO nobody writes returned")
        } catch {
            #expect(error.code == .timeout)
        }
    }
}
