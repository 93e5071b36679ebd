import ArgumentParser
import Foundation
import SpoolMedia

/// The child a worker starts to measure an output's SSIM against the frames its transcode kept (`WindowSSIM`): FFmpeg's
/// libraries are loaded here, in a process of its own, so that a decoder fault on a damaged output ends this process
/// and never the worker. Not for people; hidden from `spool --help`.
struct MeasureSSIM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure-ssim",
        abstract: "Measure an output's SSIM against its transcode's reference frames (used by workers).",
        discussion: """
            Prints "SSIM All:X" and exits 0. Exits 3 when FFmpeg's libraries are missing, 4 for files it does not \
            read (a picture other than yuv420p at --size), 5 when a file cannot be decoded; a worker then measures \
            with the ffmpeg command instead.

            With --serve it measures one request per line of standard input, a JSON object \
            {"output","reference","width","height","window"}, and answers each with one line, {"ssim":X} or \
            {"refusal":"unsupported|failed|unavailable","message":"..."}, until standard input ends. Workers keep \
            such a child, so FFmpeg's libraries load once rather than per job.
            """,
        shouldDisplay: false)

    @Argument(help: "The output file (an MP4 or a playlist).") var output: String?
    @Argument(help: "The reference frames its transcode wrote: raw yuv420p in NUT.") var reference: String?
    @Option(help: "The pictures' size, WIDTHxHEIGHT.") var size: String?
    @Option(help: "Seconds of the output compared, from its first frame.") var window: Double?
    @Flag(help: "Answer requests read from standard input, one JSON object a line, until it ends.") var serve = false

    func validate() throws {
        if serve {
            guard output == nil, reference == nil, size == nil, window == nil else {
                throw ValidationError(
                    "--serve reads its requests from standard input: give no files, --size or --window")
            }
            return
        }
        guard output != nil, reference != nil else {
            throw ValidationError("give the OUTPUT and REFERENCE files, or --serve")
        }
        guard parsedSize != nil else { throw ValidationError("--size must be WIDTHxHEIGHT, e.g. 1280x720") }
        guard let window, window > 0, window.isFinite else {
            throw ValidationError("--window must be a positive number of seconds")
        }
    }

    private var parsedSize: (width: Int, height: Int)? {
        guard let size else { return nil }
        let parts = size.split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else {
            return nil
        }
        return (width, height)
    }

    func run() throws {
        if serve {
            while let line = readLine() {
                // Unbuffered: the worker waits for this line.
                FileHandle.standardOutput.write(Data((WindowSSIM.answer(requestLine: line) + "\n").utf8))
            }
            return
        }
        guard let output, let reference, let window, let (width, height) = parsedSize else { return }
        do {
            let value = try WindowSSIM.measure(
                output: output, reference: reference, width: width, height: height, window: window)
            print(WindowSSIM.summaryLine(value))
        } catch {
            FileHandle.standardError.write(Data((error.message + "\n").utf8))
            throw ExitCode(WindowSSIM.exitStatus(error))
        }
    }
}
