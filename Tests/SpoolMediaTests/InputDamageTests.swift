import SpoolCore
import Testing

@testable import SpoolMedia

@Suite struct InputDamageTests {
    /// What ffmpeg 5.1 printed (exit 0) reading the first half of a 4 s faststart MP4.
    let cutShort = [
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55edd06a38c0] Packet corrupt (stream = 1, dts = 81920).",
        "half.mp4: corrupt input packet in stream 1",
        "[aac @ 0x55edd06f25c0] Input buffer exhausted before END element found",
        "Error while decoding stream #0:1: Invalid data found when processing input",
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55edd06a38c0] stream 0, offset 0x15ce9: partial file",
    ]

    @Test func failuresExplainedByADamagedInputAreTheInputsFault() {
        let short = JobError(code: .validationFailed, message: "360p: expected a duration of 4.00 s, found 2.08 s")
        let classified = InputDamage.classify(short, stderrTail: cutShort)
        #expect(classified.code == .invalidInput && !classified.isRetryable)
        #expect(classified.message.contains("corrupt input packet") && classified.message.contains("2.08"))
        let crashed = JobError(code: .transcodeFailed, message: "ffmpeg exited 1")
        #expect(InputDamage.classify(crashed, stderrTail: cutShort).code == .invalidInput)
    }

    /// A fuzzed WebM: ffmpeg printed nothing and exited 0, with 0.56 s of the 2 s the input declares.
    @Test func anOutputShorterThanItsInputDeclaresIsTheInputsFault() {
        let short = JobError(
            code: .validationFailed,
            message:
                "output 'mp4' (mp4.mp4): mp4.mp4 is 0.56 s long, \(InputDamage.shorterThanDeclared) (2.007 s, ±0.05 s)")
        let classified = InputDamage.classify(short, stderrTail: [])
        #expect(classified.code == .invalidInput && classified.message.contains("0.56 s"))
        let long = JobError(code: .validationFailed, message: "mp4.mp4: expected a duration of 2.0 s, found 2.9 s")
        #expect(InputDamage.classify(long, stderrTail: []) == long)
    }

    @Test func otherFailuresStayAsTheyWere() {
        let crashed = JobError(code: .transcodeFailed, message: "ffmpeg was killed by signal 9")
        #expect(InputDamage.classify(crashed, stderrTail: ["frame= 10 fps=0.0"]) == crashed)
        let stalled = JobError(code: .stalled, message: "no progress")
        #expect(InputDamage.classify(stalled, stderrTail: cutShort) == stalled)
    }
}
