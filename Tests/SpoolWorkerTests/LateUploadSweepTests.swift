import Foundation
import SpoolCore
import SpoolStorage
import TestSupport
import Testing

@testable import SpoolWorker

/// A stopped attempt's prefix is emptied again after its first discard, so an upload that was on the wire when the
/// attempt stopped (held in TCP retransmission behind a partition) does not stay in the bucket.
@Suite struct LateUploadSweepTests {
    @Test func objectsThatLandAfterTheDiscardAreSweptAtEachDelay() async throws {
        let objects = InMemoryObjectStorage()
        let remote = AttemptObjects(
            objects: objects, layout: DataLayout(root: "/nonexistent/spool", storageURI: "memory://"))
        let clock = ManualClock()
        let job = JobID(rawValue: "job_late")
        let late = try ObjectKey(remote.attemptPrefix(job, attempt: 2) + "mp4.mp4")
        let later = try ObjectKey(remote.attemptPrefix(job, attempt: 2) + "hls/index.m3u8")
        // The committed attempt of the same job, and another job: never touched.
        let kept = [
            try ObjectKey(remote.attemptPrefix(job, attempt: 3) + "mp4.mp4"),
            try ObjectKey(remote.attemptPrefix(JobID(rawValue: "job_other"), attempt: 2) + "mp4.mp4"),
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("late-\(UUID().uuidString)").path
        try Data("bytes".utf8).write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        for key in kept { try await objects.put(key, fromFile: file, contentType: nil) }

        let sweep = Task {
            await remote.sweepLateUploads(job, attempt: 2, at: [.seconds(10), .seconds(40)], clock: clock)
        }
        await clock.waitForSleeper()
        try await objects.put(late, fromFile: file, contentType: nil)
        clock.advance(by: .seconds(9))
        #expect(try await objects.head(late) != nil, "swept before its time")
        clock.advance(by: .seconds(1))
        await clock.waitForSleeper()
        #expect(try await objects.head(late) == nil, "not swept 10 s after the discard")

        try await objects.put(later, fromFile: file, contentType: nil)
        clock.advance(by: .seconds(29))
        #expect(try await objects.head(later) != nil, "swept before its time")
        clock.advance(by: .seconds(1))
        await sweep.value
        #expect(try await objects.head(later) == nil, "not swept 40 s after the discard")
        for key in kept { #expect(try await objects.head(key) != nil, "\(key.rawValue) was removed") }
        // Deadlines from the first discard: 10 s, then 40 s (30 s after the first sweep), not 10 + 40.
        #expect(clock.requestedSleeps == [.seconds(10), .seconds(30)])
    }
}
