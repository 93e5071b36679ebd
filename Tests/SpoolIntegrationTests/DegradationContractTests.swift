import Foundation
import SpoolClient
import SpoolCore
import TestSupport
import Testing

/// Overload may change how a job is made, never what: a real `spool serve` with one CPU slot kept busy past the
/// standard class's target wait degrades the jobs behind it, and every output they asked for still exists, with
/// its name and its size.
@Suite(.serialized) struct DegradationContractTests {
    let area: TestArea

    init() throws { area = try TestArea("degrade") }

    @Test func aDegradedJobMakesExactlyTheOutputsItAskedFor() async throws {
        defer { area.cleanUp() }
        // Standard jobs degrade after 1 s instead of 60, so the test need not wait a minute.
        let config = area.root.appendingPathComponent("scheduler.json")
        try Data(
            #"{"dispatch": {"classes": {"standard": {"target_wait_seconds": 1, "degradation": {"kind": "faster_encoding"}}}}}"#
                .utf8
        ).write(to: config)
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: ["--pools", "cpu", "--cpu-slots", "1", "--scheduler-config", config.path])
        defer { server.stop() }
        try await server.start()
        let client = server.client

        let long = area.inputs.appendingPathComponent("long.mp4")
        try await TestMedia.makeClip(at: long, size: "1280x720", seconds: 12)
        let small = area.inputs.appendingPathComponent("small.mp4")
        try await TestMedia.makeClip(at: small, size: "320x240", seconds: 2)

        // The one slot is busy for several seconds.
        let busy = try await client.submit(
            JobRequest(input: "file://" + long.path, preset: "web-720p", degradation: .forbid))
        _ = try await client.waitFor(busy.id, timeout: .seconds(60)) { $0.state != .queued }

        // The case from the report: an HLS ladder, one 32 px thumbnail and a 64p MP4 of a 320×240 source.
        let outputs = [
            try OutputShorthand.parse("ladder=hls,heights=180/120,segment=1"),
            try OutputShorthand.parse("thumb=thumbnails,count=1,height=32"),
            try OutputShorthand.parse("tiny=mp4,height=64"),
        ]
        let allowed = try await client.submit(JobRequest(input: "file://" + small.path, outputs: outputs))
        let forbidden = try await client.submit(
            JobRequest(input: "file://" + small.path, outputs: outputs, degradation: .forbid))
        #expect(allowed.degradation == .allow && forbidden.degradation == .forbid)

        // Past the 1 s target, with the slot still busy, the job that allows it is degraded while it waits.
        let degraded = try await client.waitFor(allowed.id, timeout: .seconds(60)) {
            !$0.degradations.isEmpty || $0.state != .queued
        }
        #expect(degraded.state == .queued, "the busy job finished before the degradation: \(server.log())")
        #expect(degraded.encoderSpeed == .faster)
        #expect(degraded.degradations.first?.contains("faster encoder setting") == true)
        #expect(degraded.requestedOutputs == outputs)

        for id in [busy.id, allowed.id, forbidden.id] {
            let job = try await client.waitFor(id, timeout: .seconds(180))
            #expect(job.state == .succeeded, "\(id): \(job.error?.message ?? "")\n\(server.log())")
        }
        let done = try await client.job(allowed.id)
        let untouched = try await client.job(forbidden.id)
        #expect(untouched.degradations.isEmpty && untouched.encoderSpeed == .standard)
        // Deduplication compares what was asked: the full-effort job never reuses the degraded job's files.
        #expect(untouched.deduplicatedFrom != allowed.id)

        for job in [done, untouched] {
            #expect(job.requestedOutputs == outputs)
            #expect(job.outputs.map(\.name).sorted() == ["ladder", "thumb", "tiny"])
            let tiny = try #require(job.outputs.first { $0.name == "tiny" })
            #expect(tiny.height == 64, "a 64p output stays 64p, never upscaled")
            let thumb = try #require(job.outputs.first { $0.name == "thumb" })
            #expect(thumb.files.count == 1)
            #expect(thumb.height == nil || thumb.height == 32)
            let ladder = try #require(job.outputs.first { $0.name == "ladder" })
            let master = try await client.get(ladder.url)
            #expect(master.status == 200)
            let playlist = String(decoding: master.body, as: UTF8.self)
            #expect(playlist.contains("x180") && playlist.contains("x120"))
            for output in job.outputs {
                #expect(try await client.get(output.url).status == 200, "\(job.id) \(output.name)")
            }
        }
    }
}
