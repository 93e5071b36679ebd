import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
import SpoolScheduling
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Real `spool serve` processes, real ffmpeg, real HTTP, real kills.
@Suite(.serialized) struct ServerIntegrationTests {
    let area: TestArea
    var root: URL { area.root }
    var inputs: URL { area.inputs }
    var data: URL { area.data }

    init() throws { area = try TestArea("it") }

    func cleanUp() { area.cleanUp() }

    @Test func uploadTranscodeAndDownloadEveryOutputKind() async throws {
        defer { cleanUp() }
        let server = try SpoolServerProcess(dataDirectory: data, inputRoot: inputs)
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip)

        let upload = try await client.upload(file: clip)
        let outputs = [
            try OutputShorthand.parse("small=mp4,height=240,codec=h264"),
            try OutputShorthand.parse("ladder=hls,heights=240/180,segment=1"),
            try OutputShorthand.parse("thumbs=thumbnails,every=1,height=90"),
        ]
        let submitted = try await client.submit(JobRequest(input: upload.uri, outputs: outputs))
        let job = try await client.waitFor(submitted.id)
        #expect(job.state == .succeeded, "\(job.error?.message ?? "")\n\(server.log())")
        #expect(job.attempts == 1)
        #expect(job.progress == 1)

        // The scheduler placed it and says why; its explanation names the worker that ran it.
        let placement = try await client.placement(job.id)
        #expect(placement.outcome == .placed)
        #expect(placement.chosen?.worker == job.worker)
        #expect(placement.profile == "seed")
        #expect(placement.feasible >= 1)

        let small = try #require(job.outputs.first { $0.name == "small" })
        #expect(small.codec == "h264")
        #expect(small.height == 240)
        #expect(small.width == 426 || small.width == 428)
        #expect(abs((small.durationSeconds ?? 0) - 3) <= 0.05)
        #expect((small.ssim ?? 0) > 0.5)
        #expect(FileManager.default.fileExists(atPath: String(small.uri.dropFirst("file://".count))))

        let download = try await client.get(small.url)
        #expect(download.status == 200)
        #expect(Int64(download.body.count) == small.sizeBytes)
        #expect(download.headers["cache-control"]?.contains("immutable") == true)

        let ladder = try #require(job.outputs.first { $0.name == "ladder" })
        let master = try await client.get(ladder.url)
        #expect(String(decoding: master.body, as: UTF8.self).contains("#EXT-X-STREAM-INF"))
        for file in ladder.files {
            #expect(
                try await client.get(ladder.url + "/" + file.split(separator: "/").dropFirst().joined(separator: "/"))
                    .status == 200 || file == ladder.files[0])
        }
        let thumbs = try #require(job.outputs.first { $0.name == "thumbs" })
        #expect(thumbs.files.count >= 3)

        // Nothing is left in the work area once the job is published.
        let work = data.appendingPathComponent("work").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).isEmpty)

        let workers = try await client.workers()
        #expect(workers.contains { $0.poolKind == .cpu && $0.devices?.ffmpeg.encoders.contains("libx264") == true })
    }

    @Test func openCLPoolRunsOnPoCL() async throws {
        defer { cleanUp() }
        let server = try SpoolServerProcess(dataDirectory: data, inputRoot: inputs)
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let pools = try await client.pools()
        try #require(pools.contains { $0.kind == .opencl }, "no opencl pool: \(pools)\n\(server.log())")
        let clip = inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 2)
        let submitted = try await client.submit(
            JobRequest(
                input: "file://" + clip.path, outputs: [try OutputShorthand.parse("sharp=mp4,height=180")],
                pool: "opencl"))
        let job = try await client.waitFor(submitted.id)
        #expect(job.state == .succeeded, "\(job.error?.message ?? "")")
        #expect(job.pool == "opencl")
        #expect(job.outputs.first?.height == 180)
    }

    @Test func cancelStopsFFmpegWithinTwoSecondsAndRemovesPartialFiles() async throws {
        defer { cleanUp() }
        let server = try SpoolServerProcess(dataDirectory: data, inputRoot: inputs)
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = inputs.appendingPathComponent("long.mp4")
        try await TestMedia.makeClip(at: clip, size: "1920x1080", seconds: 30, rate: 30)
        let submitted = try await client.submit(
            JobRequest(
                input: "file://" + clip.path, outputs: [try OutputShorthand.parse("full=mp4,height=1080,crf=18")]))
        _ = try await client.waitFor(submitted.id, until: { $0.state == .running && $0.progress > 0 })
        #expect(!TestMedia.processes(containing: submitted.id.rawValue).isEmpty)

        let cancelledAt = ContinuousClock.now
        let cancelled = try await client.cancel(submitted.id)
        #expect(cancelled.state == .cancelled)
        let workDirectory = data.appendingPathComponent("work/\(submitted.id.rawValue)").path
        while !TestMedia.processes(containing: submitted.id.rawValue).isEmpty
            || FileManager.default.fileExists(atPath: workDirectory)
        {
            #expect(ContinuousClock.now - cancelledAt < .seconds(2), "ffmpeg or its files outlived the cancel")
            if ContinuousClock.now - cancelledAt > .seconds(5) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(TestMedia.processes(containing: submitted.id.rawValue).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: workDirectory))
        #expect(try await client.job(submitted.id).state == .cancelled)
    }

    /// kill -9 the server while jobs run, start it again on the same data: every job completes once, no orphaned
    /// ffmpeg survives, nothing is left in the work area.
    @Test func killDashNineAndRestartCompletesEveryJobOnce() async throws {
        defer { cleanUp() }
        let clip = inputs.appendingPathComponent("mid.mp4")
        try await TestMedia.makeClip(at: clip, size: "1280x720", seconds: 12, rate: 30)
        let first = try SpoolServerProcess(
            dataDirectory: data, inputRoot: inputs, extraArguments: ["--cpu-slots", "1", "--pools", "cpu"])
        defer { first.stop() }
        try await first.start()
        var ids: [JobID] = []
        for index in 0..<3 {
            let job = try await first.client.submit(
                JobRequest(
                    input: "file://" + clip.path,
                    outputs: [try OutputShorthand.parse("o\(index)=mp4,height=720,crf=20")]))
            ids.append(job.id)
        }
        let running = try await first.client.waitFor(ids[0], until: { $0.state == .running && $0.progress > 0.05 })
        #expect(running.attempts == 1)
        first.crash()
        #expect(!TestMedia.processes(containing: ids[0].rawValue).isEmpty, "ffmpeg is orphaned by the crash")

        let second = try SpoolServerProcess(
            dataDirectory: data, inputRoot: inputs, extraArguments: ["--cpu-slots", "1", "--pools", "cpu"])
        defer { second.stop() }
        try await second.start()
        var finals: [JobView] = []
        for id in ids { finals.append(try await second.client.waitFor(id, timeout: .seconds(240))) }
        for job in finals {
            #expect(job.state == .succeeded, "\(job.id): \(job.error?.message ?? "")\n\(second.log())")
            #expect(job.outputs.count == 1)
        }
        #expect(finals[0].attempts == 2, "the interrupted job ran again exactly once")
        #expect(finals[1].attempts == 1)
        #expect(finals[2].attempts == 1)
        #expect(second.log().contains("orphans_killed"), "the restart reported its recovery")
        for id in ids { #expect(TestMedia.processes(containing: id.rawValue).isEmpty) }
        let work = data.appendingPathComponent("work").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).isEmpty)
        for id in ids {
            let files = try FileManager.default.contentsOfDirectory(
                atPath: data.appendingPathComponent("outputs/\(id.rawValue)").path)
            #expect(files.count == 1, "\(files)")
        }
    }

    @Test func sigtermHandsRunningJobsBackAndExitsZero() async throws {
        defer { cleanUp() }
        // Long enough (seconds of encoding) that SIGTERM lands mid-run, whatever else the machine is doing.
        let clip = inputs.appendingPathComponent("long.mp4")
        try await TestMedia.makeClip(at: clip, size: "1920x1080", seconds: 15, rate: 30)
        let arguments = ["--cpu-slots", "1", "--pools", "cpu", "--shutdown-grace", "1"]
        let first = try SpoolServerProcess(dataDirectory: data, inputRoot: inputs, extraArguments: arguments)
        defer { first.stop() }
        try await first.start()
        let job = try await first.client.submit(
            JobRequest(input: "file://" + clip.path, outputs: [try OutputShorthand.parse("o=mp4,height=1080,crf=18")]))
        _ = try await first.client.waitFor(job.id, until: { $0.state == .running && $0.progress > 0 })
        let status = await first.terminate()
        #expect(status == 0, "\(first.log())")
        #expect(TestMedia.processes(containing: job.id.rawValue).isEmpty)

        let second = try SpoolServerProcess(dataDirectory: data, inputRoot: inputs, extraArguments: arguments)
        defer { second.stop() }
        try await second.start()
        // Handed back, not failed: no error recorded, and the next server runs it as attempt 2.
        let redelivered = try await second.client.waitFor(job.id, until: { $0.state != .queued })
        #expect(redelivered.state == .running)
        #expect(redelivered.error == nil)
        #expect(redelivered.attempts == 2)
        _ = try await second.client.cancel(job.id)
    }

    /// An http(s) input is downloaded by Spool itself (here from a real HTTP server on loopback, which the server is
    /// told to allow), and the job's events stream over real SSE until it ends.
    @Test func httpInputsAndServerSentEvents() async throws {
        defer { cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: data, inputRoot: inputs, extraArguments: ["--allow-private-networks"])
        defer { server.stop() }
        try await server.start()
        let clip = inputs.appendingPathComponent("web.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 2)
        let origin = try HTTPFileServer(directory: inputs)
        defer { origin.stop() }
        try await origin.waitUntilServing()

        let job = try await server.client.submit(
            JobRequest(
                input: "http://127.0.0.1:\(origin.port)/web.mp4",
                outputs: [try OutputShorthand.parse("s=mp4,height=180")]))
        let events = try await CLI.runTool(
            "curl", ["-sN", "--max-time", "60", "\(server.url.absoluteString)/v1/jobs/\(job.id.rawValue)/events"])
        #expect(events.contains("event: state"))
        #expect(events.contains("event: progress") || events.contains(#""state":"running""#))
        #expect(events.contains(#""state":"succeeded""#), "\(events.suffix(500))")
        let final = try await server.client.job(job.id)
        #expect(final.state == .succeeded, "\(final.error?.message ?? "")")
        #expect(final.outputs.first?.height == 180)

        let missing = try await server.client.submit(
            JobRequest(input: "http://127.0.0.1:\(origin.port)/nope.mp4", preset: "web-360p"))
        let failed = try await server.client.waitFor(missing.id, timeout: .seconds(60))
        #expect(failed.state == .failed)
        #expect(failed.error?.code == .inputUnavailable, "\(failed.error?.message ?? "")")
    }

    @Test func badInputsFailClearly() async throws {
        defer { cleanUp() }
        let server = try SpoolServerProcess(dataDirectory: data, inputRoot: inputs)
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let preset = "web-360p"

        func problem(_ input: String) async -> ProblemDetails? {
            do {
                _ = try await client.submit(JobRequest(input: input, preset: preset))
                return nil
            } catch ClientError.problem(let problem) {
                return problem
            } catch {
                return nil
            }
        }
        #expect(await problem("file:///etc/passwd")?.rule == "input_root")
        #expect(await problem("file://\(inputs.path)/../../etc/passwd")?.rule == "path_traversal")
        #expect(await problem("http://127.0.0.1:\(server.port)/health")?.rule == "private_address")
        #expect(await problem("http://169.254.169.254/latest/meta-data")?.rule == "private_address")

        let empty = inputs.appendingPathComponent("empty.mp4")
        _ = FileManager.default.createFile(atPath: empty.path, contents: Data())
        var random = [UInt8](repeating: 0, count: 64 * 1024)
        for index in random.indices { random[index] = UInt8.random(in: 0...255) }
        let noise = inputs.appendingPathComponent("noise.mp4")
        try Data(random).write(to: noise)
        let text = inputs.appendingPathComponent("notes.mp4")
        try "this is a text file, not a video\n".write(to: text, atomically: true, encoding: .utf8)

        for file in [empty, noise, text] {
            let job = try await client.submit(JobRequest(input: "file://" + file.path, preset: preset))
            let final = try await client.waitFor(job.id)
            #expect(final.state == .failed, "\(file.lastPathComponent)")
            #expect(final.error?.code == .invalidInput, "\(file.lastPathComponent): \(final.error?.message ?? "")")
            #expect(final.attempts == 1, "invalid input is not retried")
        }
        let uploadedNoise = try await client.upload(file: noise)
        let job = try await client.submit(JobRequest(input: uploadedNoise.uri, preset: preset))
        #expect(try await client.waitFor(job.id).error?.code == .invalidInput)
    }

    /// An input that declares a frame or frame rate over the worker's limits fails at probe time as `unsupported`,
    /// once, with the flag to change in the message; one within them is transcoded.
    @Test func inputsOverTheFrameLimitsAreRefusedWithoutRetry() async throws {
        defer { cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: data, inputRoot: inputs,
            extraArguments: ["--max-input-pixels", "100000", "--max-input-fps", "25"])
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let large = inputs.appendingPathComponent("large.mp4")
        try await TestMedia.makeClip(at: large, size: "640x360", seconds: 1, rate: 24)
        let fast = inputs.appendingPathComponent("fast.mp4")
        try await TestMedia.makeClip(at: fast, size: "320x240", seconds: 1, rate: 50)
        let fine = inputs.appendingPathComponent("fine.mp4")
        try await TestMedia.makeClip(at: fine, size: "320x240", seconds: 1, rate: 24)
        for (file, flag) in [(large, "--max-input-pixels"), (fast, "--max-input-fps")] {
            let job = try await client.waitFor(
                try await client.submit(JobRequest(input: "file://" + file.path, preset: "web-360p")).id)
            #expect(job.state == .failed && job.error?.code == .unsupported, "\(job.error?.message ?? "")")
            #expect(job.error?.message.contains(flag) == true, "\(job.error?.message ?? "")")
            #expect(job.attempts == 1, "refused inputs are not retried")
        }
        let ok = try await client.waitFor(
            try await client.submit(JobRequest(input: "file://" + fine.path, preset: "web-360p")).id)
        #expect(ok.state == .succeeded, "\(ok.error?.message ?? "")")
    }

    /// An input cut in half after its index (moov first, so ffprobe still reports the full duration): ffmpeg reads
    /// what is there and warns; the job fails once as `invalid_input` saying so, instead of three times.
    @Test func anInputCutShortFailsOnceAsInvalidInput() async throws {
        defer { cleanUp() }
        let server = try SpoolServerProcess(dataDirectory: data, inputRoot: inputs)
        defer { server.stop() }
        try await server.start()
        let whole = inputs.appendingPathComponent("whole.mp4")
        try await TestMedia.run(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440", "-t", "4", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", "-shortest", whole.path,
            ])
        let bytes = try Data(contentsOf: whole)
        let half = inputs.appendingPathComponent("half.mp4")
        try bytes.prefix(bytes.count / 2).write(to: half)
        let job = try await server.client.waitFor(
            try await server.client.submit(JobRequest(input: "file://" + half.path, preset: "web-360p")).id)
        #expect(job.state == .failed && job.error?.code == .invalidInput, "\(job.error?.message ?? "")")
        #expect(job.error?.message.contains("damaged or cut short") == true, "\(job.error?.message ?? "")")
        #expect(job.attempts == 1, "an input cut short is not retried")
    }

    /// A client that sends its whole body before reading (Python's urllib, 64 MiB) gets the 413 at once, with the
    /// connection closed after, instead of hanging until its own timeout; nothing of the upload is kept.
    @Test func aBodyOverTheLimitGets413EvenFromAClientThatSendsItAllFirst() async throws {
        defer { cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: data, inputRoot: inputs, extraArguments: ["--max-upload-bytes", "1000000"])
        defer { server.stop() }
        try await server.start()
        let script = """
            import urllib.request, urllib.error
            for path in ["/v1/jobs", "/v1/uploads"]:
                request = urllib.request.Request(
                    "http://127.0.0.1:\(server.port)" + path, data=b"x" * (64 << 20), method="POST",
                    headers={"Content-Type": "application/json"})
                try:
                    urllib.request.urlopen(request, timeout=20)
                    print(path, "accepted")
                except urllib.error.HTTPError as error:
                    print(path, error.code, error.headers.get("Connection"))
                except Exception as error:
                    print(path, "failed", type(error).__name__)
            """
        let printed = try await TestCommand.run("python3", ["-c", script]).stdout
        let lines = printed.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(printed)")
        for line in lines {
            let fields = line.split(separator: " ")
            // A server that stopped reading would leave urllib to time out: "failed TimeoutError".
            #expect(fields.count == 3 && fields[1] == "413" && fields[2] == "close", "\(line)")
        }
        let uploads =
            (try? FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("uploads").path)) ?? []
        #expect(uploads.isEmpty, "\(uploads)")
    }

    /// A machine whose nvidia-smi is installed but cannot reach the driver: the server starts its CPU pool, but
    /// logs the failure with what nvidia-smi printed and `/ready` answers 503 saying so.
    @Test func aBrokenNvidiaDriverMakesReadySaySo() async throws {
        defer { cleanUp() }
        let bin = data.deletingLastPathComponent().appendingPathComponent("fake-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let tool = bin.appendingPathComponent("nvidia-smi")
        try """
        #!/bin/sh
        echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
        exit 9

        """.write(to: tool, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let server = try SpoolServerProcess(dataDirectory: data, inputRoot: inputs, environment: ["PATH": path])
        defer { server.stop() }
        await #expect(throws: TestFailure.self) { try await server.start(readyTimeout: .seconds(8)) }
        let ready = try await server.readiness()
        let body = String(decoding: ready.body, as: UTF8.self)
        #expect(ready.status == 503)
        #expect(body.contains("GPU discovery failed") && body.contains("NVIDIA driver"), "\(body)")
        #expect(server.log().contains("GPU discovery failed"))
    }

    @Test func cliSubmitWaitsAndReportsOutputs() async throws {
        defer { cleanUp() }
        let server = try SpoolServerProcess(dataDirectory: data, inputRoot: inputs)
        defer { server.stop() }
        try await server.start()
        let clip = inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 2)

        let submit = try await CLI.run([
            "submit", clip.path, "--output", "small=mp4,height=180", "--wait", "--server", server.url.absoluteString,
        ])
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(submit.stdout.contains("succeeded"))
        #expect(submit.stdout.contains("small: "))
        let summary = try #require(submit.stdout.split(separator: "\n").first { $0.contains(" succeeded in ") })
        let id = try #require(summary.split(separator: " ").first.map(String.init))
        #expect(id.hasPrefix("job_"))

        let status = try await CLI.run(["status", id, "--json", "--server", server.url.absoluteString])
        #expect(status.status == 0)
        #expect(status.stdout.contains("\"state\" : \"succeeded\""))

        let jobs = try await CLI.run(["jobs", "--server", server.url.absoluteString])
        #expect(jobs.stdout.contains(id))

        let missing = try await CLI.run(["status", "job_nope", "--server", server.url.absoluteString])
        #expect(missing.status != 0)
        #expect(missing.stderr.hasPrefix("spool: "))
        #expect(missing.stderr.split(separator: "\n").count == 1)

        let unreachable = try await CLI.run(["jobs", "--server", "http://127.0.0.1:1"])
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("cannot reach a Spool server"))
    }
}

enum CLI {
    /// Runs another tool (curl) and returns its stdout.
    static func runTool(_ tool: String, _ arguments: [String]) async throws -> String {
        try await TestCommand.run(tool, arguments).stdout
    }

    typealias Result = TestCommand.Outcome

    /// Runs the built `spool` with `arguments`, and `input` on its standard input (none: an empty one).
    static func run(_ arguments: [String], input: String? = nil) async throws -> Result {
        try await run(executable: try SpoolBinary.url(), arguments, input: input)
    }

    static func run(executable: URL, _ arguments: [String], input: String? = nil) async throws -> Result {
        try await TestCommand.run(executable.path, arguments, input: input)
    }
}
