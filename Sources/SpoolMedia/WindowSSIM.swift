import CWindowSSIM

/// SSIM of an output's window against the frames its transcode kept (`SSIMReference`), measured by decoding only the
/// output with FFmpeg's libraries rather than by starting ffmpeg. ffmpeg 5.1 links 215 libraries, and resolving their
/// symbols costs 60–100 ms of CPU before it reads a byte, most of a measurement of a few frames (bench/overhead);
/// the libraries this needs are a third of those. It runs in a child process (`spool measure-ssim`), so a decoder
/// fault on a damaged output ends that process, never the worker. It gives the number ffmpeg's `ssim` filter gives:
/// the same 8×8 windows on a 4-pixel grid, planes weighted by size, frames paired in order (`WindowSSIMTests`).
public enum WindowSSIM {
    /// Why a measurement was not made here; the caller then measures with the ffmpeg command, which judges the files.
    public enum Refusal: Error, Equatable, Sendable {
        /// FFmpeg's libraries (of the version built against) are not on this machine, or the build had no headers.
        case unavailable(String)
        /// Not the simple case read here: a picture other than yuv420p at the size given, or no video stream.
        case unsupported(String)
        /// A file could not be opened or decoded.
        case failed(String)

        public var message: String {
            switch self {
            case .unavailable(let message), .unsupported(let message), .failed(let message): message
            }
        }
    }

    /// The mean SSIM over the output's first `window` seconds against every frame of `reference` (raw yuv420p in NUT
    /// at `width`×`height`), pairing frames in order until either side ends.
    public static func measure(output: String, reference: String, width: Int, height: Int, window: Double)
        throws(Refusal) -> Double
    {
        var result = 0.0
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { buffer in
            spool_window_ssim(
                output, reference, Int32(clamping: width), Int32(clamping: height), window, &result, buffer.baseAddress,
                UInt(buffer.count))
        }
        let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        switch status {
        case SPOOL_WINDOW_SSIM_MEASURED: return result
        case SPOOL_WINDOW_SSIM_UNAVAILABLE: throw .unavailable(text)
        case SPOOL_WINDOW_SSIM_UNSUPPORTED: throw .unsupported(text)
        default: throw .failed(text)
        }
    }

    /// The line `spool measure-ssim` prints, in the form of ffmpeg's summary so that one parser reads both.
    public static func summaryLine(_ value: Double) -> String { "SSIM All:" + String(format: "%.6f", value) }

    /// Exit statuses of `spool measure-ssim` for each refusal: anything but 0 sends the caller to ffmpeg.
    public static func exitStatus(_ refusal: Refusal) -> Int32 {
        switch refusal {
        case .unavailable: 3
        case .unsupported: 4
        case .failed: 5
        }
    }
}
