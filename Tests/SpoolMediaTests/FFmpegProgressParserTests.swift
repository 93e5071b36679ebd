import SpoolCore
import Testing

@testable import SpoolMedia

@Suite("ffmpeg -progress parsing")
struct FFmpegProgressParserTests {
    func snapshots(_ fixture: String, duration: Double) throws -> (parser: FFmpegProgressParser, [TranscodeProgress]) {
        var parser = FFmpegProgressParser(durationSeconds: duration)
        var snapshots: [TranscodeProgress] = []
        for line in try Fixture.text("progress/\(fixture)").split(separator: "\n", omittingEmptySubsequences: false) {
            if let snapshot = parser.feed(line: String(line)) { snapshots.append(snapshot) }
        }
        return (parser, snapshots)
    }

    @Test func multiOutputCaptureYieldsOneSnapshotPerBlock() throws {
        let (parser, snapshots) = try snapshots("multi-output-12s.txt", duration: 12)
        #expect(snapshots.count == 7)
        let fractions = snapshots.map(\.fraction)
        #expect(fractions == fractions.sorted())
        #expect(abs(fractions[0] - 0.557279 / 12) < 1e-9)
        #expect(fractions.last == 1)
        #expect(parser.isEnd)
        #expect(parser.outTimeMicroseconds == 12_004_722)
        #expect(snapshots.last?.speed != nil && snapshots.last?.fps != nil)
    }

    @Test func lookaheadMovesFramesWhileOutTimeStaysAtZero() throws {
        let (parser, snapshots) = try snapshots("x264-medium-1080p-lookahead.txt", duration: 4)
        #expect(snapshots.count == 6)
        #expect(snapshots[0].fraction == 0 && snapshots[1].fraction == 0)
        #expect(snapshots[0].speed == nil)  // "speed=N/A"
        #expect(snapshots[1].speed == 0)  // "speed=   0x"
        #expect(parser.frame == 100)
        #expect(parser.isEnd)
    }

    @Test func singleOutputCapture() throws {
        let (_, snapshots) = try snapshots("single-output-3s.txt", duration: 3)
        #expect(snapshots.count == 4)
        #expect(snapshots.last?.fraction == 1)
        #expect(snapshots.last?.fps == 34.33)
        #expect(snapshots.last?.speed == 1.38)
    }

    @Test func unknownAndNegativeTimesDoNotMoveBackwards() {
        var parser = FFmpegProgressParser(durationSeconds: 10)
        #expect(parser.feed(line: "out_time_us=N/A") == nil)
        #expect(parser.feed(line: "progress=continue")?.fraction == 0)
        _ = parser.feed(line: "out_time_us=-9223372036854775807")
        #expect(parser.outTimeMicroseconds == 0)
        _ = parser.feed(line: "out_time_us=5000000")
        #expect(parser.feed(line: "progress=continue")?.fraction == 0.5)
        #expect(parser.feed(line: "garbage without equals") == nil)
    }

    @Test func watchdogMarkerAdvancesOnAnyAxis() {
        let start = ProgressMarker()
        let framesOnly = ProgressMarker(outTimeMicroseconds: 0, frame: 29, totalSize: 48)
        #expect(framesOnly.isAhead(of: start))
        #expect(!framesOnly.isAhead(of: framesOnly))
        #expect(ProgressMarker(outTimeMicroseconds: 0, frame: 30, totalSize: 48).isAhead(of: framesOnly))
        #expect(!ProgressMarker(outTimeMicroseconds: 0, frame: 28, totalSize: 48).isAhead(of: framesOnly))
    }
}
