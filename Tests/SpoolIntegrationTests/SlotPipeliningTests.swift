import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
import SpoolSQLite
import Testing

/// A worker's slot is free once ffmpeg exits: validation and the commit go on beside the next job's transcode
/// instead of in front of it (bench/overhead lost up to a second per job to that wait).
@Suite(.serialized) struct SlotPipeliningTests {
    @Test func withOneSlotTheNextJobStartsWhileThePreviousOneStillValidates() async throws {
        let area = try TestArea("pipelining")
        defer { area.cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: ["--pools", "cpu", "--cpu-slots", "1", "--no-deduplicate"])
        defer { server.stop() }
        try await server.start()
        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try TestMedia.makeClip(at: clip, size: "1280x720", seconds: 4)
        let request = JobRequest(
            input: "file://" + clip.path, outputs: [try OutputShorthand.parse("small=mp4,height=360")])
        let submitted = [try await server.client.submit(request), try await server.client.submit(request)]
        for job in submitted {
            let finished = try await server.client.waitFor(job.id)
            #expect(finished.state == .succeeded, "\(finished.error?.message ?? "")\n\(server.log())")
        }
        _ = await server.terminate()

        // The API gives times to the second; the store keeps them exact.
        let store = try SQLiteJobStore(path: DataLayout(root: area.data.path).database)
        var jobs: [Job] = []
        for job in submitted { jobs.append(try #require(try await store.job(job.id))) }
        let ordered = jobs.sorted { ($0.startedAt ?? .distantFuture) < ($1.startedAt ?? .distantFuture) }
        let earlier = ordered[0]
        let later = ordered[1]
        let started = try #require(later.startedAt)
        let previousFinished = try #require(earlier.finishedAt)
        #expect(
            started < previousFinished,
            "the second job started \(started.timeIntervalSince(previousFinished)) s after the first one's commit")
    }
}
