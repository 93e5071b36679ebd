import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

@Suite("ffprobe JSON parsing")
struct MediaInfoParsingTests {
    func parse(_ fixture: String) throws -> MediaInfo {
        try MediaInfo.parse(ffprobeJSON: Fixture.data("ffprobe/\(fixture)"))
    }

    func rejection(_ fixture: String) throws -> JobError? {
        do {
            _ = try parse(fixture)
            return nil
        } catch let error as JobError {
            return error
        }
    }

    @Test func mp4WithH264AndAAC() throws {
        let info = try parse("mp4-h264-aac.json")
        #expect(info.formatName == "mov,mp4,m4a,3gp,3g2,mj2")
        #expect(info.durationSeconds == 3)
        #expect(
            info.video
                == VideoStreamInfo(
                    codec: "h264", width: 640, height: 360, frameRate: 25, durationSeconds: 3, frameCount: 75))
        #expect(info.audio == AudioStreamInfo(codec: "aac", channels: 1, sampleRate: 44100))
        #expect(info.videoDurationSeconds == 3)
    }

    @Test func matroskaKeepsStreamDurationsInTags() throws {
        let info = try parse("mkv-h264-opus.json")
        #expect(info.formatName == "matroska,webm")
        let video = try #require(info.video)
        #expect(abs(video.frameRate - 30000.0 / 1001.0) < 1e-9)
        #expect(video.durationSeconds == 2.009)
        #expect(video.frameCount == nil)
        #expect(info.audio?.codec == "opus" && info.audio?.channels == 2 && info.audio?.sampleRate == 48000)
    }

    @Test func rotatedClipReportsItsUprightSize() throws {
        let video = try #require(try parse("mp4-rotated-90.json").video)
        #expect(video.width == 360 && video.height == 640)
    }

    @Test(
        "junk, audio-only, cover art, stills and empty durations are invalid input",
        arguments: [
            ("junk-exit1.json", "not a media file"),
            ("m4a-audio-only.json", "no video stream"),
            ("m4a-cover-art.json", "no video stream"),
            ("jpeg-still.json", "still image"),
            ("mp4-zero-duration.json", "zero or unknown duration"),
        ])
    func invalidInputs(fixture: String, reason: String) throws {
        let error = try #require(try rejection(fixture))
        #expect(error.code == .invalidInput)
        #expect(error.message.contains(reason), "\(error.message)")
        #expect(error.message.contains("upload"), "the message should say what to do: \(error.message)")
        #expect(!error.isRetryable)
    }

    @Test func unparseableTextIsInvalidInput() {
        #expect(throws: JobError.self) { try MediaInfo.parse(ffprobeJSON: Data("not json".utf8)) }
        #expect(throws: JobError.self) { try MediaInfo.parse(ffprobeJSON: Data()) }
    }

    @Test func frameRatesAndTimestamps() {
        #expect(FFprobeDocument.rate("30000/1001").map { abs($0 - 29.97) < 0.001 } == true)
        #expect(FFprobeDocument.rate("0/0") == nil)
        #expect(FFprobeDocument.rate("25") == 25)
        #expect(FFprobeDocument.rate("N/A") == nil)
        #expect(FFprobeDocument.seconds(fromTimestamp: "01:02:03.5") == 3723.5)
        #expect(FFprobeDocument.seconds(fromTimestamp: "junk") == nil)
    }

    @Test func mediaInfoRoundTripsThroughJSON() throws {
        let info = try parse("mp4-h264-aac.json")
        let decoded = try JSONDecoder().decode(MediaInfo.self, from: JSONEncoder().encode(info))
        #expect(decoded == info)
    }
}
