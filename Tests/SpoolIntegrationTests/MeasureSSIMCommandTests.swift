import Foundation
import SpoolMedia
import Testing

/// `spool measure-ssim`, the child a worker starts to measure an output against the frames its transcode kept: its
/// number is ffmpeg's, and each refusal has the exit status that sends the worker to ffmpeg.
@Suite("spool measure-ssim")
struct MeasureSSIMCommandTests {
    /// The "All:" value of the last SSIM summary line.
    func allValue(_ text: String) -> String? {
        guard let line = text.split(whereSeparator: \.isNewline).last(where: { $0.contains("All:") }),
            let range = line.range(of: "All:")
        else { return nil }
        return String(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    @Test func measuresWhatFFmpegMeasuresAndRefusesWithItsStatuses() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spool-measure-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, size: "640x360", seconds: 2)
        let output = folder.appendingPathComponent("out.mp4").path
        let reference = folder.appendingPathComponent("ref.nut").path
        // A transcode with its reference tap, as a worker runs it (SSIMReference).
        try await TestMedia.run(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y", "-i", clip.path, "-filter_complex",
                "[0:v:0]scale=480:270,format=yuv420p,split=2[v0][t0];[t0]trim=start=0:duration=0.1,setpts=PTS-STARTPTS[r0]",
                "-map", "[v0]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-an", output,
                "-map", "[r0]", "-c:v", "rawvideo", "-fps_mode", "passthrough", "-an", "-f", "nut", reference,
            ])

        let measured = try await CLI.run(["measure-ssim", output, reference, "--size", "480x270", "--window", "0.100"])
        #expect(measured.status == 0, "\(measured.stderr)")
        // ffmpeg's filter in plain C gives the same digits; its x86 assembly can differ in the fifth decimal.
        var byFilter: [String] = []
        for cpuFlags in [["-cpuflags", "0"], []] {
            let ffmpeg = try await CLI.run(
                executable: URL(fileURLWithPath: "/usr/bin/ffmpeg"),
                cpuFlags + [
                    "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-t", "0.100", "-threads", "1", "-i",
                    output, "-f", "nut", "-i", reference, "-filter_complex",
                    "[0:v:0]setpts=PTS-STARTPTS,scale=480:270,format=yuv420p[out];[1:v:0]setpts=PTS-STARTPTS[ref];"
                        + "[out][ref]ssim=shortest=1",
                    "-an", "-f", "null", "-",
                ])
            byFilter.append(try #require(allValue(ffmpeg.stderr), "\(ffmpeg.stderr)"))
        }
        let value = try #require(allValue(measured.stdout))
        #expect(value == byFilter[0])
        #expect(abs((Double(value) ?? 0) - (Double(byFilter[1]) ?? 1)) < 1e-4)
        #expect(measured.stdout.hasPrefix("SSIM All:"))

        // Another size: 4, "not read here". A missing file: 5, "cannot be opened". Bad flags: ArgumentParser's 64.
        let otherSize = try await CLI.run(["measure-ssim", output, reference, "--size", "640x360", "--window", "0.1"])
        #expect(otherSize.status == 4 && otherSize.stderr.contains("640x360 yuv420p"))
        let missing = try await CLI.run(
            ["measure-ssim", output + ".gone", reference, "--size", "480x270", "--window", "0.1"])
        #expect(missing.status == 5 && missing.stderr.contains("cannot open"))
        let badSize = try await CLI.run(["measure-ssim", output, reference, "--size", "wide", "--window", "0.1"])
        #expect(badSize.status == 64 && badSize.stderr.contains("WIDTHxHEIGHT"))

        // --serve: one reply line per request line until standard input ends, then exit 0.
        let requests = [
            #"{"output":"\#(output)","reference":"\#(reference)","width":480,"height":270,"window":0.1}"#,
            #"{"output":"\#(output)","reference":"\#(reference)","width":640,"height":360,"window":0.1}"#,
            "SSIM please",
        ]
        let served = try await CLI.run(["measure-ssim", "--serve"], input: requests.joined(separator: "\n") + "\n")
        #expect(served.status == 0, "\(served.stderr)")
        let replies = served.stdout.split(separator: "\n").map(String.init)
        #expect(replies.count == 3, "\(served.stdout)")
        let first = try JSONDecoder().decode(WindowSSIM.Reply.self, from: Data((replies.first ?? "").utf8))
        #expect(first.ssim.map { WindowSSIM.summaryLine($0) + "\n" } == measured.stdout)
        #expect(replies.dropFirst().first?.contains(#""refusal":"unsupported""#) == true)
        #expect(replies.last?.contains(#""refusal":"failed""#) == true)
        let serveWithFiles = try await CLI.run(["measure-ssim", "--serve", output])
        #expect(serveWithFiles.status == 64 && serveWithFiles.stderr.contains("standard input"))

        // Not for people: absent from the help that lists the commands.
        let help = try await CLI.run(["--help"])
        #expect(!help.stdout.contains("measure-ssim"))
    }
}
