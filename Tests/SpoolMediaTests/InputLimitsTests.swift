import SpoolCore
import Testing

@testable import SpoolMedia

@Suite struct InputLimitsTests {
    func info(width: Int, height: Int, fps: Double) -> MediaInfo {
        MediaInfo(
            formatName: "mov,mp4", durationSeconds: 1,
            video: VideoStreamInfo(
                codec: "png", width: width, height: height, frameRate: fps, durationSeconds: 1, frameCount: 1),
            audio: nil)
    }

    @Test func framesAndRatesOverTheLimitsAreUnsupported() {
        let limits = InputLimits.standard
        #expect(limits.check(info(width: 7680, height: 4320, fps: 60)) == nil)
        let huge = limits.check(info(width: 16000, height: 16000, fps: 1))
        #expect(huge?.code == .unsupported && huge?.isRetryable == false)
        #expect(huge?.message.contains("16000×16000") == true && huge?.message.contains("--max-input-pixels") == true)
        let fast = limits.check(info(width: 640, height: 360, fps: 1000))
        #expect(fast?.code == .unsupported && fast?.message.contains("--max-input-fps") == true)
        #expect(limits.check(MediaInfo(formatName: "wav", durationSeconds: 1, video: nil, audio: nil)) == nil)
    }
}
