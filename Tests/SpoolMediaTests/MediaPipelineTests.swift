import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

/// probe → build → run → validate with the real ffmpeg on small generated clips.
@Suite("media pipeline with real ffmpeg")
struct MediaPipelineTests {
    struct Run {
        var source: MediaInfo
        var sourcePath: String
        var staging: String
        var command: TranscodeCommand
        var results: [OutputResult]
        var progress: [TranscodeProgress]
        var pid: Int32?
    }

    func runPipeline(_ scratch: borrowing MediaScratch, outputs: [OutputSpec], path: EncodePath) async throws -> Run {
        let input = try await scratch.makeClip("source.mp4")
        let source = try await MediaProber().probe(path: input)
        let staging = scratch.file("staging")
        let command = TranscodeCommandBuilder.build(
            input: input, source: source, outputs: outputs, path: path, stagingDirectory: staging)
        let progress = Recorder<TranscodeProgress>()
        let pids = Recorder<Int32>()
        try await FFmpegRunner(clock: ContinuousClock()).run(
            command, sourceDurationSeconds: source.durationSeconds, onStart: { pids.append($0) },
            onProgress: { progress.append($0) })
        let results = try await OutputValidator().validate(
            command.outputs, stagingDirectory: staging, source: source, sourcePath: input)
        return Run(
            source: source, sourcePath: input, staging: staging, command: command, results: results,
            progress: progress.all, pid: pids.all.first)
    }

    func expectGoodSSIM(_ result: OutputResult) {
        let ssim = result.ssim ?? 0
        #expect(ssim > 0.5 && ssim <= 1, "\(result.name) SSIM \(ssim)")
    }

    @Test func cpuPathMakesEveryOutputKind() async throws {
        let scratch = try MediaScratch()
        let run = try await runPipeline(scratch, outputs: Samples.allKinds, path: .cpu)

        #expect(run.source.video?.width == 640 && run.source.video?.height == 360)
        let pid = try #require(run.pid)
        #expect(ProcessChecks.isGone(pid))
        #expect(!run.progress.isEmpty)
        #expect((run.progress.last?.fraction ?? 0) > 0.9)

        let byName = Dictionary(uniqueKeysWithValues: run.results.map { ($0.name, $0) })
        #expect(run.results.map(\.name) == ["small", "hevc", "hls", "thumbs", "grid"])

        let small = try #require(byName["small"])
        #expect(small.kind == .mp4 && small.path == "small.mp4" && small.files == ["small.mp4"])
        #expect(small.codec == "h264" && small.width == 426 && small.height == 240)
        #expect(abs((small.durationSeconds ?? 0) - 3) < 0.05)
        #expect(small.sizeBytes > 0)
        expectGoodSSIM(small)

        let hevc = try #require(byName["hevc"])
        #expect(hevc.codec == "hevc" && hevc.width == 320 && hevc.height == 180)
        expectGoodSSIM(hevc)

        let hls = try #require(byName["hls"])
        #expect(hls.kind == .hls && hls.path == "hls/master.m3u8")
        #expect(hls.codec == "h264" && hls.width == 640 && hls.height == 360)
        #expect(hls.files.first == "hls/master.m3u8")
        #expect(hls.files.contains("hls/r0/index.m3u8") && hls.files.contains("hls/r1/index.m3u8"))
        #expect(hls.files.filter { $0.hasSuffix(".ts") }.count >= 2)
        expectGoodSSIM(hls)

        let thumbs = try #require(byName["thumbs"])
        #expect(thumbs.path == "thumbs/0001.jpg" && thumbs.files.count == 3)
        #expect(thumbs.codec == "mjpeg" && thumbs.width == 160 && thumbs.height == 90 && thumbs.ssim == nil)

        let grid = try #require(byName["grid"])
        #expect(grid.files == ["grid/0001.jpg", "grid/0002.jpg", "grid/0003.jpg", "grid/0004.jpg"])
        #expect(grid.width == 128 && grid.height == 72)

        // Damage the outputs one way at a time: each must now fail validation, naming the output.
        let validator = OutputValidator()
        func failure(_ outputs: [PlannedOutput]) async -> JobError? {
            do {
                _ = try await validator.validate(
                    outputs, stagingDirectory: run.staging, source: run.source, sourcePath: run.sourcePath,
                    measureSSIM: false)
                return nil
            } catch {
                return error
            }
        }
        try FileManager.default.removeItem(atPath: "\(run.staging)/grid/0004.jpg")
        let grids = await failure([run.command.outputs[4]])
        #expect(grids?.code == .validationFailed && grids?.message.contains("expected 4 thumbnails") == true)

        let segment = try #require(hls.files.last { $0.hasPrefix("hls/r1/") && $0.hasSuffix(".ts") })
        try FileManager.default.removeItem(atPath: "\(run.staging)/\(segment)")
        let ladder = await failure([run.command.outputs[2]])
        #expect(ladder?.code == .validationFailed && ladder?.message.contains("'hls'") == true)

        var wrongSize = run.command.outputs[0]
        wrongSize.spec.format = .mp4(video: VideoSettings(codec: .h264, height: 360), audio: AudioSettings())
        let size = await failure([wrongSize])
        #expect(size?.message.contains("expected 640x360, found 426x240") == true)

        var wrongCodec = run.command.outputs[1]
        wrongCodec.spec.format = .mp4(video: VideoSettings(codec: .h264, width: 320, fps: 12.5), audio: .none)
        let codec = await failure([wrongCodec])
        #expect(codec?.message.contains("expected video codec h264, found hevc") == true)
    }

    @Test(.enabled(if: MediaPipelineTests.hasOpenCLDriver, "needs an OpenCL ICD such as pocl-opencl-icd"))
    func openCLPathRunsOnPoCL() async throws {
        let scratch = try MediaScratch()
        let outputs = [
            OutputSpec(name: "small", format: .mp4(video: VideoSettings(height: 240), audio: AudioSettings())),
            OutputSpec(
                name: "hls", format: .hls(renditions: [Rendition(video: VideoSettings(height: 360))], segmentSeconds: 2)
            ),
        ]
        let run = try await runPipeline(scratch, outputs: outputs, path: .opencl(deviceSelector: "0.0"))
        #expect(run.command.arguments.contains("opencl=ocl:0.0"))
        #expect(run.results.map(\.codec) == ["h264", "h264"])
        #expect(run.results.map(\.height) == [240, 360])
        run.results.forEach(expectGoodSSIM)
    }

    static var hasOpenCLDriver: Bool {
        let vendors = (try? FileManager.default.contentsOfDirectory(atPath: "/etc/OpenCL/vendors")) ?? []
        return vendors.contains { $0.hasSuffix(".icd") }
    }

    @Test func truncatedFaststartMP4FailsValidation() async throws {
        let scratch = try MediaScratch()
        let input = try await scratch.makeClip("source.mp4", extra: ["-movflags", "+faststart"])
        let source = try await MediaProber().probe(path: input)
        let staging = scratch.file("staging")
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let whole = try Data(contentsOf: URL(fileURLWithPath: input))
        try whole.write(to: URL(fileURLWithPath: "\(staging)/whole.mp4"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: "\(staging)/cut.mp4"))

        let mp4 = OutputSpec.Format.mp4(video: VideoSettings(codec: .h264), audio: AudioSettings())
        let complete = PlannedOutput(spec: OutputSpec(name: "whole", format: mp4), primaryPath: "whole.mp4")
        let results = try await OutputValidator().validate(
            [complete], stagingDirectory: staging, source: source, sourcePath: input)
        #expect(results.first?.ssim ?? 0 > 0.99)

        let cut = PlannedOutput(spec: OutputSpec(name: "cut", format: mp4), primaryPath: "cut.mp4")
        await #expect(throws: JobError.self) {
            _ = try await OutputValidator().validate(
                [cut], stagingDirectory: staging, source: source, sourcePath: input, measureSSIM: false)
        }
        do {
            _ = try await OutputValidator().validate(
                [cut], stagingDirectory: staging, source: source, sourcePath: input, measureSSIM: false)
        } catch {
            #expect(error.code == .validationFailed)
            #expect(error.message.contains("truncated"), "\(error.message)")
        }
    }

    @Test func truncatedMP4WithMoovAtTheEndFailsProbe() async throws {
        let scratch = try MediaScratch()
        let input = try await scratch.makeClip("source.mp4")
        let whole = try Data(contentsOf: URL(fileURLWithPath: input))
        let cut = try scratch.write("cut.mp4", whole.prefix(whole.count / 2))
        do {
            _ = try await MediaProber().probe(path: cut)
            Issue.record("a half MP4 without its moov atom probed as valid")
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.message.contains("moov atom not found") || error.message.contains("Invalid data"))
        }
    }
}
