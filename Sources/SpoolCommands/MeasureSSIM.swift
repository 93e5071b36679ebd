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
            """,
        shouldDisplay: false)

    @Argument(help: "The output file (an MP4 or a playlist).") var output: String
    @Argument(help: "The reference frames its transcode wrote: raw yuv420p in NUT.") var reference: String
    @Option(help: "The pictures' size, WIDTHxHEIGHT.") var size: String
    @Option(help: "Seconds of the output compared, from its first frame.") var window: Double

    func validate() throws {
        guard parsedSize != nil else { throw ValidationError("--size must be WIDTHxHEIGHT, e.g. 1280x720") }
        guard window > 0, window.isFinite else {
            throw ValidationError("--window must be a positive number of seconds")
        }
    }

    private var parsedSize: (width: Int, height: Int)? {
        let parts = size.split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else {
            return nil
        }
        return (width, height)
    }

    func run() throws {
        guard let (width, height) = parsedSize else { return }
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
