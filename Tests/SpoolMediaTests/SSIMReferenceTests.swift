import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

/// The transcode writes the frames each output's SSIM is measured against, so validation does not decode the source
/// again; the measured value must be the one a second decode gives.
@Suite("SSIM references written by the transcode")
struct SSIMReferenceTests {
    func build(_ path: EncodePath, source: MediaInfo = Samples.source, outputs: [OutputSpec] = Samples.allKinds)
        -> TranscodeCommand
    {
        TranscodeCommandBuilder.build(
            input: "/in/source.mp4", source: source, outputs: outputs, path: path, stagingDirectory: "/work/a1/out",
            ssimReferenceDirectory: "/work/a1/ssim")
    }

    @Test func measuredOutputsGetAReferenceOutsideTheStagingDirectory() throws {
        let command = build(.cpu)
        let references = Dictionary(uniqueKeysWithValues: command.outputs.map { ($0.spec.name, $0.ssimReference) })
        #expect(references["small"] == "/work/a1/ssim/small.nut")
        #expect(references["hevc"] == "/work/a1/ssim/hevc.nut")
        #expect(references["hls"] == "/work/a1/ssim/hls.nut")
        // Thumbnails have no SSIM.
        #expect(references["thumbs"] == .some(nil) && references["grid"] == .some(nil))
        #expect(command.directories.contains("/work/a1/ssim"))
        for case let reference? in references.values {
            #expect(!reference.hasPrefix("/work/a1/out/"))
            let index = try #require(command.arguments.firstIndex(of: reference))
            #expect(
                Array(command.arguments[(index - 7)..<index]) == [
                    "-c:v", "rawvideo", "-fps_mode", "passthrough", "-an", "-f", "nut",
                ])
        }
    }

    /// Each tap splits its branch after the last filter, so the reference is the very picture the encoder got (after
    /// the fps filter where a rate was asked); the ladder taps its largest rendition, the one validation measures.
    @Test func tapsFollowTheEncodersPicture() throws {
        let graph = try #require(build(.cpu).arguments.drop { $0 != "-filter_complex" }.dropFirst().first)
        let window = "trim=start=0.000:duration=0.100,setpts=PTS-STARTPTS"
        #expect(graph.contains("[s0]scale=426:240,format=yuv420p,split=2[v0][t0];[t0]\(window)[r0]"))
        #expect(graph.contains("[s1]fps=12.5,scale=320:180,format=yuv420p,split=2[v1][t1];[t1]\(window)[r1]"))
        // hls: r0 is 640x360 (branch 2), r1 is 426x240 (branch 3).
        #expect(graph.contains("[s2]scale=640:360,format=yuv420p,split=2[v2][t2];[t2]\(window)[r2]"))
        #expect(!graph.contains("[t3]"))
        #expect(!graph.contains("[t4]") && !graph.contains("[t5]"))
    }

    @Test func longWindowsAreThinnedAsTheMeterThinsTheOutput() {
        let (start, length) = SSIMMeter.window(duration: 600)
        #expect(length == 6 && start == 297)
        #expect(SSIMReference.tapChain(duration: 600) == "trim=start=297.000:duration=6.000,setpts=PTS-STARTPTS,fps=4")
        #expect(
            SSIMMeter.outputSample(size: FrameSize(width: 1280, height: 720), duration: 600).chain
                == "setpts=PTS-STARTPTS,fps=4,scale=1280:720,format=yuv420p")
    }

    @Test func gpuPathsAndUnknownDurationsDecodeInstead() {
        let plain = TranscodeCommandBuilder.build(
            input: "/in/source.mp4", source: Samples.source, outputs: Samples.allKinds,
            path: .cuda(gpuIndex: 0, nvenc: true), stagingDirectory: "/work/a1/out")
        let cuda = build(.cuda(gpuIndex: 0, nvenc: true))
        #expect(cuda == plain)
        var unknown = Samples.source
        unknown.durationSeconds = 0
        unknown.video?.durationSeconds = nil
        #expect(build(.cpu, source: unknown).outputs.allSatisfy { $0.ssimReference == nil })
    }

    /// Raw frames are big: a 2 s window of 4K at 60 fps would be 1.5 GB, so such an output is measured by decoding.
    @Test func windowsTooLargeForRawFramesAreNotTapped() {
        #expect(SSIMReference.fits(size: FrameSize(width: 1280, height: 720), frameRate: 30, duration: 10))
        #expect(SSIMReference.fits(size: FrameSize(width: 1920, height: 1080), frameRate: 30, duration: 30))
        #expect(!SSIMReference.fits(size: FrameSize(width: 3840, height: 2160), frameRate: 60, duration: 200))
        let uhd = MediaInfo(
            formatName: "mov,mp4,m4a,3gp,3g2,mj2", durationSeconds: 200,
            video: VideoStreamInfo(
                codec: "h264", width: 3840, height: 2160, frameRate: 60, durationSeconds: 200, frameCount: 12000),
            audio: nil)
        let outputs = [
            OutputSpec(name: "uhd", format: .mp4(video: VideoSettings(codec: .h264), audio: .none)),
            OutputSpec(name: "small", format: .mp4(video: VideoSettings(codec: .h264, height: 360), audio: .none)),
        ]
        let command = build(.cpu, source: uhd, outputs: outputs)
        #expect(command.outputs.map(\.ssimReference) == [nil, "/work/a1/ssim/small.nut"])
        #expect(!command.arguments.contains("/work/a1/ssim/uhd.nut"))
    }

    /// With real ffmpeg: every measured output's SSIM from the kept frames equals, to the digit, the SSIM from decoding
    /// the source again; the references are gone once validated, and none was ever in the staging directory. An
    /// output at another frame rate (hevc, 12.5 fps from 25) is the exception: its kept frames are the ones its
    /// encoder was given, while a second decode pairs its frames with the source's frames at the source's rate.
    @Test func theKeptFramesGiveTheSameSSIMAsASecondDecode() async throws {
        let scratch = try MediaScratch()
        let transcode = try await scratch.transcodeWithReferences(seconds: 4)
        let (input, source, staging, command) = (
            transcode.input, transcode.source, transcode.staging, transcode.command
        )
        let references = command.outputs.compactMap(\.ssimReference)
        #expect(references.count == 3)
        for reference in references { #expect(FileManager.default.fileExists(atPath: reference)) }

        let fromReferences = try await OutputValidator().validate(
            command.outputs, stagingDirectory: staging, source: source, sourcePath: input)
        for reference in references { #expect(!FileManager.default.fileExists(atPath: reference)) }
        let staged = FileManager.default.enumerator(atPath: staging)?.allObjects as? [String] ?? []
        #expect(!staged.contains { $0.hasSuffix(".nut") })

        let decoding = command.outputs.map { PlannedOutput(spec: $0.spec, primaryPath: $0.primaryPath) }
        let fromSource = try await OutputValidator().validate(
            decoding, stagingDirectory: staging, source: source, sourcePath: input)
        #expect(fromReferences.map(\.name) == fromSource.map(\.name))
        for (kept, decoded) in zip(fromReferences, fromSource) where kept.name != "hevc" {
            #expect(kept.ssim == decoded.ssim, "\(kept.name): \(String(describing: kept.ssim)) from the kept frames")
        }
        let hevc = try #require(fromReferences.first { $0.name == "hevc" }?.ssim)
        let hevcDecoded = try #require(fromSource.first { $0.name == "hevc" }?.ssim)
        #expect(hevc > 0.99 && abs(hevc - hevcDecoded) < 0.001)
        #expect(fromReferences.filter { $0.kind != .thumbnails }.allSatisfy { ($0.ssim ?? 0) > 0.9 })
    }
}
