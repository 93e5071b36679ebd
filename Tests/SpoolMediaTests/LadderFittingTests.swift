import Testing

@testable import SpoolCore
@testable import SpoolMedia

@Suite struct LadderFittingTests {
    func source(height: Int) -> MediaInfo {
        MediaInfo(
            formatName: "mov,mp4", durationSeconds: 10,
            video: VideoStreamInfo(
                codec: "h264", width: height * 16 / 9, height: height, frameRate: 30, durationSeconds: 10,
                frameCount: 300),
            audio: nil)
    }

    func heights(_ outputs: [OutputSpec]) -> [Int?] {
        guard case .hls(let renditions, _) = outputs[0].format else { return [] }
        return renditions.map(\.video.height)
    }

    @Test func rungsAboveTheSourceAreDropped() {
        let ladder = Presets.named("hls-ladder")!.outputs
        #expect(heights(LadderFitting.fit(ladder, to: source(height: 720))) == [720, 480, 360])
        #expect(heights(LadderFitting.fit(ladder, to: source(height: 2160))) == [1080, 720, 480, 360])
    }

    @Test func aTinySourceKeepsOneRungAtItsOwnHeight() {
        let ladder = Presets.named("hls-ladder")!.outputs
        #expect(heights(LadderFitting.fit(ladder, to: source(height: 241))) == [240])
    }

    @Test func mp4OutputsKeepTheirSize() {
        let outputs = Presets.named("web-1080p")!.outputs
        #expect(LadderFitting.fit(outputs, to: source(height: 360)) == outputs)
    }
}
