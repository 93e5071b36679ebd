import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

/// `WindowSSIM` measures an output against the frames its transcode kept with FFmpeg's libraries instead of the ffmpeg
/// command, so it must give ffmpeg's number, and hand every case it does not read back to ffmpeg.
@Suite("SSIM of a window without starting ffmpeg")
struct WindowSSIMTests {
    /// What a transcode with references wrote: each measured output's file (the ladder's largest rendition's
    /// playlist for HLS), its reference and its picture size.
    struct Measured {
        var name: String
        var output: String
        var reference: String
        var size: FrameSize
    }

    func transcode(in scratch: borrowing MediaScratch, seconds: Int) async throws -> (MediaInfo, [Measured]) {
        let transcode = try await scratch.transcodeWithReferences(seconds: seconds)
        let (source, staging, command) = (transcode.source, transcode.staging, transcode.command)
        // The sizes the tap chains scale to (SSIMReferenceTests checks the chains).
        let sizes = [
            "small": FrameSize(width: 426, height: 240), "hevc": FrameSize(width: 320, height: 180),
            "hls": FrameSize(width: 640, height: 360),
        ]
        let measured = try command.outputs.compactMap { output -> Measured? in
            guard let reference = output.ssimReference else { return nil }
            let relative =
                output.directory.map { "\($0)/\(OutputLayout.variantName(0))/\(OutputLayout.variantPlaylist)" }
                ?? output.primaryPath
            return Measured(
                name: output.spec.name, output: "\(staging)/\(relative)", reference: reference,
                size: try #require(sizes[output.spec.name]))
        }
        #expect(measured.map(\.name).sorted() == ["hevc", "hls", "small"])
        return (source, measured)
    }

    /// One small H.264 output with its reference, written as a transcode's tap writes them, in one cheap ffmpeg run.
    func smallOutput(in scratch: borrowing MediaScratch) async throws -> Measured {
        let output = scratch.file("small.mp4")
        let reference = scratch.file("small.nut")
        try await MediaScratch.ffmpeg([
            "-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=426x240:rate=25",
            "-t", "1", "-filter_complex",
            "[0:v:0]format=yuv420p,split=2[v0][t0];[t0]trim=start=0:duration=0.1,setpts=PTS-STARTPTS[r0]",
            "-map", "[v0]", "-c:v", "libx264", "-preset", "ultrafast", output,
            "-map", "[r0]", "-c:v", "rawvideo", "-fps_mode", "passthrough", "-f", "nut", reference,
        ])
        return Measured(
            name: "small", output: output, reference: reference, size: FrameSize(width: 426, height: 240))
    }

    /// ffmpeg prints the mean with six decimals: equal to the digit is equal there.
    func digits(_ value: Double?) -> String { value.map { String(format: "%.6f", $0) } ?? "none" }

    /// With real ffmpeg: H.264 and HEVC MP4s (one at 12.5 fps) and an HLS rendition (a playlist of MPEG-TS segments)
    /// measure the same with the libraries as with ffmpeg's `ssim` filter in plain C (`-cpuflags 0`), to the printed
    /// digit. ffmpeg's x86 assembly sums some rows differently: on a plane with an even number of 4-pixel columns
    /// (426×240 here) its mean moves in the fifth decimal, so against the default run the bound is 1e-4.
    @Test func givesFFmpegsNumberForEveryKindOfOutput() async throws {
        let scratch = try MediaScratch()
        let (source, measured) = try await transcode(in: scratch, seconds: 2)
        let duration = source.videoDurationSeconds
        let window = SSIMMeter.window(duration: duration).length
        for output in measured {
            let arguments = SSIMMeter.arguments(
                output: output.output, reference: output.reference, size: output.size, duration: duration)
            var byFilter: [Double] = []
            for cpuFlags in [["-cpuflags", "0"], []] {
                let run = try await ToolProcess.run(
                    "ffmpeg", arguments: cpuFlags + arguments, timeout: .seconds(60), clock: ContinuousClock())
                byFilter.append(try #require(SSIMMeter.parse(stderr: run.stderrText), "\(run.stderrText)"))
            }
            let byLibraries = try WindowSSIM.measure(
                output: output.output, reference: output.reference, width: output.size.width,
                height: output.size.height, window: window)
            #expect(digits(byLibraries) == digits(byFilter[0]), "\(output.name)")
            #expect(abs(byLibraries - byFilter[1]) < 1e-4, "\(output.name)")
            #expect(byLibraries > 0.9 && byLibraries <= 1)
        }
    }

    /// What it does not read is refused with a reason, never measured wrongly: another picture size, a missing
    /// file, a file that is not video, a reference that is not NUT.
    @Test func refusesWhatItDoesNotRead() async throws {
        let scratch = try MediaScratch()
        let small = try await smallOutput(in: scratch)
        func refusal(_ output: String, _ reference: String, width: Int = 426, height: Int = 240) -> WindowSSIM.Refusal?
        {
            do {
                _ = try WindowSSIM.measure(
                    output: output, reference: reference, width: width, height: height, window: 0.1)
                return nil
            } catch {
                return error
            }
        }
        guard case .unsupported(let message)? = refusal(small.output, small.reference, width: 640, height: 360) else {
            Issue.record("another size was measured")
            return
        }
        #expect(message.contains("640x360 yuv420p"))
        guard case .failed? = refusal(scratch.file("missing.mp4"), small.reference) else {
            Issue.record("a missing output was measured")
            return
        }
        let junk = try scratch.write("junk.mp4", Data(repeating: 0x5A, count: 4096))
        guard case .failed? = refusal(junk, small.reference) else {
            Issue.record("junk was measured")
            return
        }
        guard case .failed? = refusal(small.output, small.output) else {
            Issue.record("an MP4 was read as the NUT reference")
            return
        }
    }

    /// Only a window from the output's start with every frame compared goes to the child (clips under 60 s); a
    /// longer clip's window, in the middle and thinned past 2 s, is ffmpeg's.
    @Test func onlyWindowsFromTheStartGoToTheChild() {
        let size = FrameSize(width: 1280, height: 720)
        func request(_ duration: Double) -> WindowSSIM.Request? {
            SSIMMeter.windowRequest(output: "/o.mp4", reference: "/r.nut", size: size, duration: duration)
        }
        #expect(
            request(10)
                == WindowSSIM.Request(output: "/o.mp4", reference: "/r.nut", width: 1280, height: 720, window: 0.1))
        #expect(request(50)?.window == 0.5)
        // From 60 s the window is in the middle of the clip.
        #expect(request(60) == nil)
        #expect(request(600) == nil)
        #expect(request(0) == nil)
    }

    /// A measuring child's turn: a request line is answered with the value `measure` gives, a refusal with its kind
    /// and reason, and a line that is not a request with `failed` rather than silence.
    @Test func answersEachRequestLineWithOneReplyLine() async throws {
        let scratch = try MediaScratch()
        let small = try await smallOutput(in: scratch)
        let request = WindowSSIM.Request(
            output: small.output, reference: small.reference, width: 426, height: 240, window: 0.1)
        let measured = try WindowSSIM.measure(
            output: small.output, reference: small.reference, width: 426, height: 240, window: 0.1)
        func reply(_ line: String) throws -> WindowSSIM.Reply {
            let text = WindowSSIM.answer(requestLine: line)
            #expect(!text.contains("\n"))
            return try JSONDecoder().decode(WindowSSIM.Reply.self, from: Data(text.utf8))
        }
        #expect(try reply(WindowSSIM.encodedLine(request)).outcome == .success(measured))
        var otherSize = request
        otherSize.width = 640
        otherSize.height = 360
        let refused = try reply(WindowSSIM.encodedLine(otherSize))
        #expect(refused.refusal == "unsupported")
        #expect(refused.message?.contains("640x360 yuv420p") == true)
        guard case .failure(.unsupported) = refused.outcome else {
            Issue.record("a refusal read back as \(refused.outcome)")
            return
        }
        var missing = request
        missing.output += "\nwith a line break.mp4"
        #expect(try reply(WindowSSIM.encodedLine(missing)).refusal == "failed")
        let junk = try reply("SSIM please")
        #expect(junk.refusal == "failed" && junk.message?.contains("not a measurement request") == true)
        #expect(
            WindowSSIM.Reply(.failure(.unavailable("no libavcodec"))).outcome == .failure(.unavailable("no libavcodec"))
        )
    }

    /// A child that cannot measure (here one that exits 1, or is not there) sends the measurement to ffmpeg, which
    /// gives the same number as without a child.
    @Test func aChildThatDeclinesLeavesTheMeasurementToFFmpeg() async throws {
        let scratch = try MediaScratch()
        let small = try await smallOutput(in: scratch)
        func measure(_ child: String?) async throws -> Double? {
            try await SSIMMeter(tools: MediaTools(windowSSIM: child), timeout: .seconds(60), clock: ContinuousClock())
                .measure(
                    output: small.output, reference: small.reference, size: small.size,
                    duration: 1, label: small.name)
        }
        let byFFmpeg = try await measure(nil)
        #expect(byFFmpeg != nil)
        #expect(try await measure("/bin/false") == byFFmpeg)
        #expect(try await measure(scratch.file("no-such-spool")) == byFFmpeg)
    }
}
