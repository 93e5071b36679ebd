import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
import Testing

/// Segmented jobs through a real `spool serve`: tasks placed and committed one by one, joined exactly, shown
/// under their job, stopped with it.
@Suite(.serialized) struct SegmentedJobTests {
    let area: TestArea
    var inputs: URL { area.inputs }
    var data: URL { area.data }

    init() throws { area = try TestArea("seg") }

    static let outputs = [
        try! OutputShorthand.parse("small=mp4,height=180"),
        try! OutputShorthand.parse("thumbs=thumbnails,count=3,height=90"),
        try! OutputShorthand.parse("ladder=hls,heights=240/180,segment=1"),
    ]

    @Test func aSegmentedJobIsJoinedExactlyAndShowsItsTasks() async throws {
        defer { area.cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: data, inputRoot: inputs, extraArguments: ["--cpu-slots", "1", "--no-deduplicate"])
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 9, keyFrameEvery: 25)

        var request = JobRequest(input: "file://" + clip.path, outputs: Self.outputs)
        request.segmenting = SegmentingRequest(mode: .on, seconds: 2)
        let submitted = try await client.submit(request)
        #expect(submitted.segmenting == SegmentingRequest(mode: .on, seconds: 2))
        let job = try await client.waitFor(submitted.id, timeout: .seconds(120))
        #expect(job.state == .succeeded, "\(job.error?.message ?? "")\n\(server.log())")

        // Its tasks, each a job that succeeded on its own: per segment its video pieces and its audio, and the
        // companion for the thumbnails.
        let segments = try #require(job.segments)
        #expect(segments.wholeFileReason == nil)
        #expect(segments.count >= 3)
        // Per segment: the MP4 and the ladder's two renditions, and the audio; and the companion.
        #expect(segments.tasks.count == segments.count * 4 + 1)
        #expect(segments.tasks.filter { $0.kind == "audio" }.count == segments.count)
        #expect(segments.done == segments.tasks.count)
        #expect(segments.tasks.allSatisfy { $0.state == .succeeded && $0.worker != nil })
        #expect(segments.tasks.filter { $0.kind == "video" }.allSatisfy { ($0.ssim ?? 0) > 0.5 })
        let firstTask = try #require(segments.tasks.first)
        let taskView = try await client.job(firstTask.job)
        #expect(taskView.parentJob == job.id)
        #expect(try await client.placement(firstTask.job).outcome == .placed)

        // The joined output holds every frame of the input, and the thumbnails came from the companion.
        let small = try #require(job.outputs.first { $0.name == "small" })
        let path = String(small.uri.dropFirst("file://".count))
        let frames = try await CLI.runTool(
            "ffprobe",
            [
                "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                "stream=nb_read_packets", "-of", "csv=p=0", path,
            ])
        #expect(frames.trimmingCharacters(in: .whitespacesAndNewlines) == "225")
        #expect(abs((small.durationSeconds ?? 0) - 9) < 0.05)
        // Its audio, joined from the pieces frame by frame, lasts as long as the input's, within one AAC frame.
        let audio = try await CLI.runTool(
            "ffprobe",
            ["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=duration", "-of", "csv=p=0", path])
        let audioSeconds = try #require(Double(audio.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(abs(audioSeconds - 9) < 0.03, "audio lasts \(audioSeconds) s")
        #expect((job.outputs.first { $0.name == "thumbs" }?.files.count ?? 0) == 3)

        // The ladder: every rendition holds every frame, and an HLS segment ends at every seam.
        let ladder = try #require(job.outputs.first { $0.name == "ladder" })
        let folder = URL(fileURLWithPath: String(ladder.uri.dropFirst("file://".count))).deletingLastPathComponent()
        for rendition in ["r0", "r1"] {
            let playlist = folder.appendingPathComponent("\(rendition)/index.m3u8").path
            let packets = try await CLI.runTool(
                "ffprobe",
                [
                    "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                    "stream=nb_read_packets", "-of", "csv=p=0", playlist,
                ])
            // The HLS demuxer lists the stream under its program too: every line says the same.
            let counts = Set(packets.split(whereSeparator: \.isNewline).map(String.init))
            #expect(counts == ["225"], "\(rendition): \(counts)")
            var boundary = 0.0
            var boundaries: [Double] = []
            for line in try String(contentsOfFile: playlist, encoding: .utf8).split(separator: "\n")
            where line.hasPrefix("#EXTINF:") {
                boundary += Double(line.dropFirst(8).prefix { $0 != "," }) ?? 0
                boundaries.append(boundary)
            }
            for seam in segments.starts.dropFirst() {
                #expect(boundaries.contains { abs($0 - (seam - segments.starts[0])) < 0.001 }, "no cut at \(seam)")
            }
        }

        // Tasks are internal: the list shows the job alone.
        let listed = try await client.jobs(limit: 100).jobs
        #expect(listed.map(\.id) == [job.id])

        // An input with no key frame to cut at is encoded whole, and the job says why.
        let oneGOP = inputs.appendingPathComponent("one-gop.mp4")
        try await TestMedia.makeClip(at: oneGOP, seconds: 6)
        var whole = JobRequest(input: "file://" + oneGOP.path, outputs: [Self.outputs[0]])
        whole.segmenting = SegmentingRequest(mode: .on, seconds: 2)
        let wholeJob = try await client.waitFor(try await client.submit(whole).id)
        #expect(wholeJob.state == .succeeded)
        #expect(
            wholeJob.segments?.wholeFileReason?.contains("key frame") == true,
            "\(String(describing: wholeJob.segments))")
        #expect(wholeJob.segments?.tasks.isEmpty == true)
    }

    @Test func cancellingASegmentedJobStopsEveryTask() async throws {
        defer { area.cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: data, inputRoot: inputs, extraArguments: ["--cpu-slots", "1", "--no-deduplicate"])
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, size: "1280x720", seconds: 12, keyFrameEvery: 25)

        var request = JobRequest(input: "file://" + clip.path, outputs: [Self.outputs[0]])
        request.segmenting = SegmentingRequest(mode: .on, seconds: 2)
        let submitted = try await client.submit(request)
        // Wait until it is split and its tasks have started, with some still to do. A task runs for a few tenths of a
        // second and the job view may be half a second old, so a poll can miss every running moment of a loaded
        // machine; a finished task shows the tasks have started as well.
        var planned: JobView?
        var lastSeen: JobView?
        for _ in 0..<200 {
            let view = try await client.job(submitted.id)
            lastSeen = view
            if let segments = view.segments, segments.running + segments.done > 0,
                segments.done < segments.tasks.count
            {
                planned = view
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let split = try #require(
            planned, "the job was never seen split and running: \(String(describing: lastSeen)) \(server.log())")
        _ = try await client.cancel(split.id)
        var tasks: [JobView] = []
        for _ in 0..<100 {
            tasks = []
            for task in split.segments?.tasks ?? [] { tasks.append(try await client.job(task.job)) }
            if tasks.allSatisfy({ $0.state.isTerminal }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await client.job(split.id).state == .cancelled)
        #expect(tasks.allSatisfy { $0.state == .cancelled || $0.state == .succeeded }, "\(tasks.map(\.state))")
        #expect(tasks.contains { $0.state == .cancelled })
        // No ffmpeg left running for it.
        try await Task.sleep(for: .seconds(1))
        #expect(TestMedia.processes(containing: clip.path).isEmpty)
    }

    /// Checkpointed preemption: a realtime job that fits nowhere else evicts the batch job's running piece; the pieces
    /// already finished are kept (never run again) and the job resumes with the rest once the realtime job is done.
    @Test func aPreemptedSegmentedJobKeepsItsFinishedSegmentsAndResumes() async throws {
        defer { area.cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: data, inputRoot: inputs, extraArguments: ["--cpu-slots", "1", "--no-deduplicate"])
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, size: "1920x1080", seconds: 12, keyFrameEvery: 25)
        let urgent = inputs.appendingPathComponent("urgent.mp4")
        try await TestMedia.makeClip(at: urgent, seconds: 2)

        // Pieces of 4 s of 1080p encoded at 1080p keep ffmpeg busy for seconds, so the realtime job meets one
        // encoding: small pieces could end their encode before it arrives, and their slot is free as soon as ffmpeg
        // exits, so it would start without evicting anything, which is right but not what this test is about.
        var request = JobRequest(
            input: "file://" + clip.path, outputs: [try OutputShorthand.parse("full=mp4,height=1080")])
        request.segmenting = SegmentingRequest(mode: .on, seconds: 4)
        request.serviceClass = .batch
        let submitted = try await client.submit(request)
        // Wait until a piece has finished and another runs.
        var checkpoint: JobView?
        for _ in 0..<600 {
            let view = try await client.job(submitted.id)
            if let segments = view.segments, segments.done >= 1, segments.running > 0 {
                checkpoint = view
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let split = try #require(checkpoint, "no piece finished while another ran: \(server.log())")
        let finishedBefore = Set(split.segments!.tasks.filter { $0.state == .succeeded }.map(\.job))
        let runningBefore = try #require(split.segments!.tasks.first { $0.state == .running }?.job)

        var realtime = JobRequest(input: "file://" + urgent.path, outputs: [Self.outputs[0]])
        realtime.serviceClass = .realtime
        let urgentJob = try await client.waitFor(try await client.submit(realtime).id, timeout: .seconds(120))
        #expect(urgentJob.state == .succeeded, "\(urgentJob.error?.message ?? "")")
        let job = try await client.waitFor(split.id, timeout: .seconds(240))
        #expect(job.state == .succeeded, "\(job.error?.message ?? "")\n\(server.log())")
        // The realtime job did not wait for the batch job: it finished first.
        #expect((urgentJob.finishedAt ?? .distantFuture) < (job.finishedAt ?? .distantPast))

        var tasks: [JobView] = []
        for task in job.segments?.tasks ?? [] { tasks.append(try await client.job(task.job)) }
        let preempted = tasks.filter { $0.evictions > 0 }
        #expect(preempted.map(\.id) == [runningBefore], "evicted: \(preempted.map(\.id)), running: \(runningBefore)")
        #expect(preempted.allSatisfy { $0.state == .succeeded && $0.error == nil })
        // Finished pieces were kept: each ran exactly once.
        for task in tasks where finishedBefore.contains(task.id) {
            #expect(task.attempts == 1 && task.evictions == 0, "\(task.id) ran \(task.attempts) times")
        }
        // And the joined output holds every frame.
        let output = try #require(job.outputs.first)
        let frames = try await CLI.runTool(
            "ffprobe",
            [
                "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                "stream=nb_read_packets", "-of", "csv=p=0", String(output.uri.dropFirst("file://".count)),
            ])
        #expect(frames.trimmingCharacters(in: .whitespacesAndNewlines) == "300")
    }
}
