import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

@Suite("TranscodeCommandBuilder")
struct TranscodeCommandBuilderTests {
    static let paths: [EncodePath] = [
        .cpu, .opencl(deviceSelector: "0.0"), .cuda(gpuIndex: 1, nvenc: true), .cuda(gpuIndex: 0, nvenc: false),
    ]

    func buildAllKinds(_ path: EncodePath) -> TranscodeCommand {
        TranscodeCommandBuilder.build(
            input: "/in/source.mp4", source: Samples.source, outputs: Samples.allKinds, path: path,
            stagingDirectory: "/staging/job-1/")
    }

    @Test(
        "golden argv for every encode path",
        arguments: zip(
            paths,
            [
                GoldenCommands.cpu, GoldenCommands.opencl, GoldenCommands.cudaNVENC, GoldenCommands.cudaWithoutNVENC,
            ]))
    func golden(path: EncodePath, expected: [String]) {
        #expect(buildAllKinds(path).arguments == expected)
    }

    /// A degraded job's outputs are the same outputs: only the encoder's effort differs, nothing about what is made.
    @Test(arguments: paths)
    func fasterEncodingChangesOnlyTheEncoderPreset(path: EncodePath) {
        let standard = buildAllKinds(path)
        let faster = TranscodeCommandBuilder.build(
            input: "/in/source.mp4", source: Samples.source, outputs: Samples.allKinds, path: path,
            stagingDirectory: "/staging/job-1/", encoderSpeed: .faster)
        #expect(faster.outputs == standard.outputs)
        #expect(faster.arguments.count == standard.arguments.count)
        let differing = zip(standard.arguments, faster.arguments).filter { $0 != $1 }
        #expect(!differing.isEmpty)
        for (before, after) in differing {
            #expect(
                [("veryfast", "superfast"), ("p4", "p2")].contains { $0 == (before, after) },
                "only encoder presets may differ, found \(before) → \(after)")
        }
    }

    @Test func goldenForSourceWithoutAudioWithThreads() {
        let command = TranscodeCommandBuilder.build(
            input: "/in/clip:1.mkv", source: Samples.silentSource,
            outputs: [
                OutputSpec(
                    name: "720p",
                    format: .mp4(video: VideoSettings(codec: .h264, height: 720, crf: 20), audio: AudioSettings())),
                OutputSpec(
                    name: "ladder",
                    format: .hls(
                        renditions: [Rendition(video: VideoSettings(codec: .hevc, width: 854))], segmentSeconds: 6)),
            ],
            path: .cpu, stagingDirectory: "/staging/job-2", threadsPerOutput: 2)
        #expect(command.arguments == GoldenCommands.silentSource)
    }

    @Test("planned outputs and folders", arguments: paths)
    func plannedOutputs(path: EncodePath) {
        let command = buildAllKinds(path)
        #expect(
            command.outputs.map(\.primaryPath) == [
                "small.mp4", "hevc.mp4", "hls/master.m3u8", "thumbs/0001.jpg", "grid/0001.jpg",
            ])
        #expect(command.outputs.map(\.spec) == Samples.allKinds)
        #expect(
            command.directories == [
                "/staging/job-1", "/staging/job-1/hls", "/staging/job-1/thumbs", "/staging/job-1/grid",
            ])
    }

    @Test("stdin off, protocol and container whitelists on the input", arguments: paths)
    func safetyFlagsAlwaysPresent(path: EncodePath) throws {
        let arguments = buildAllKinds(path).arguments
        #expect(arguments.contains("-nostdin"))
        #expect(arguments.filter { $0 == "-i" }.count == 1)
        let input = try #require(arguments.firstIndex(of: "-i"))
        let protocols = try #require(arguments.firstIndex(of: "-protocol_whitelist"))
        let formats = try #require(arguments.firstIndex(of: "-format_whitelist"))
        #expect(protocols < input && formats < input)
        #expect(arguments[protocols + 1] == "file,pipe")
        #expect(arguments[formats + 1] == MediaInfo.inputFormatWhitelist)
        #expect(arguments[input + 1] == "file:/in/source.mp4")
        #expect(arguments.contains("-progress") && arguments.contains("pipe:1"))
    }

    @Test("argv elements carry no shell quoting or command tricks", arguments: paths)
    func noShellMetacharacters(path: EncodePath) {
        let arguments = buildAllKinds(path).arguments
        let graph = arguments[arguments.firstIndex(of: "-filter_complex")! + 1]
        for argument in arguments {
            #expect(!argument.contains("'") && !argument.contains("\"") && !argument.contains("`"), "\(argument)")
            #expect(!argument.contains("$(") && !argument.contains("\\") && !argument.contains("\n"), "\(argument)")
            #expect(argument.trimmingCharacters(in: .whitespaces) == argument, "\(argument)")
            // The filter graph is the one element where ';' is ffmpeg syntax; nowhere may '|', '&', '<' or '>' appear.
            #expect(!argument.contains("|") && !argument.contains("&") && !argument.contains("<"), "\(argument)")
            if argument != graph { #expect(!argument.contains(";"), "\(argument)") }
        }
    }

    @Test("every file ffmpeg may overwrite (-y) lies in the staging directory", arguments: paths)
    func outputsStayInStaging(path: EncodePath) {
        let arguments = buildAllKinds(path).arguments
        let absolute = arguments.filter { $0.hasPrefix("/") }
        #expect(absolute.count == 6)
        #expect(absolute.allSatisfy { $0.hasPrefix("/staging/job-1/") && !$0.contains("..") })
    }

    @Test func encodersFollowThePath() {
        let nvenc = buildAllKinds(.cuda(gpuIndex: 1, nvenc: true)).arguments
        #expect(nvenc.contains("h264_nvenc") && nvenc.contains("hevc_nvenc") && !nvenc.contains("libx264"))
        #expect(nvenc.contains("-hwaccel_output_format") && nvenc.contains("1"))
        let download = buildAllKinds(.cuda(gpuIndex: 0, nvenc: false)).arguments
        #expect(download.contains("libx264") && download.contains("libx265") && !download.contains("h264_nvenc"))
        let opencl = buildAllKinds(.opencl(deviceSelector: "1.2")).arguments
        #expect(opencl.contains("opencl=ocl:1.2") && opencl.contains("-filter_hw_device"))
    }

    @Test func inputsKeepPipesAndExplicitFileURLs() {
        #expect(FFmpegURL.input("pipe:0") == "pipe:0")
        #expect(FFmpegURL.input("file:/a.mp4") == "file:/a.mp4")
        #expect(FFmpegURL.input("/a/b:c.mp4") == "file:/a/b:c.mp4")
        #expect(FFmpegURL.input("http://example.com/a.mp4") == "file:http://example.com/a.mp4")
    }

    @Test func unsafeOutputNamesNeverBecomePaths() {
        #expect(TranscodeCommandBuilder.baseName("web-720p_2", index: 0) == "web-720p_2")
        #expect(TranscodeCommandBuilder.baseName("../../etc", index: 3) == "output-3")
        #expect(TranscodeCommandBuilder.baseName("-y", index: 1) == "output-1")
        #expect(TranscodeCommandBuilder.baseName("", index: 2) == "output-2")
    }

    @Test func sizesKeepTheAskedSideAndRoundTheOtherToEven() {
        let source = Samples.source  // 640x360
        #expect(FrameSize.target(width: nil, height: 240, source: source) == FrameSize(width: 426, height: 240))
        #expect(FrameSize.target(width: 320, height: nil, source: source) == FrameSize(width: 320, height: 180))
        #expect(FrameSize.target(width: 1920, height: nil, source: source) == FrameSize(width: 1920, height: 1080))
        #expect(FrameSize.target(width: 101, height: 99, source: source) == FrameSize(width: 100, height: 100))
        #expect(FrameSize.target(width: nil, height: nil, source: source) == FrameSize(width: 640, height: 360))
    }

    @Test func numbersAreFormattedForFFmpeg() {
        #expect(FFmpegNumber.format(3) == "3")
        #expect(FFmpegNumber.format(12.5) == "12.5")
        #expect(FFmpegNumber.format(29.97002997) == "29.97003")
        #expect(FFmpegNumber.format(0.1) == "0.1")
        #expect(FFmpegNumber.format(-2.25) == "-2.25")
    }
}
