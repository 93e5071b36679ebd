import SpoolCore
import Testing

@testable import SpoolWorker

@Suite struct StorageFullTests {
    @Test func everyStepsWordsForAFullDiskMeanStorageFull() {
        let ffmpeg = JobError(
            code: .transcodeFailed, message: "ffmpeg exited with code 1",
            stderrTail: ["[out#0/mp4 @ 0x1] Error writing trailer: No space left on device"])
        #expect(StorageFull.classify(ffmpeg).code == .storageFull)
        #expect(StorageFull.classify(ffmpeg).stderrTail == ffmpeg.stderrTail)
        let staging = JobError(code: .internalError, message: "cannot stage files: … isn’t enough space.")
        #expect(StorageFull.classify(staging).code == .storageFull)
        let sqlite = JobError(code: .internalError, message: "SQLite error 13: database or disk is full")
        #expect(StorageFull.classify(sqlite).code == .storageFull)
    }

    @Test func otherFailuresStayAsTheyWere() {
        let crashed = JobError(code: .transcodeFailed, message: "ffmpeg was killed by signal 9")
        #expect(StorageFull.classify(crashed) == crashed)
    }
}
