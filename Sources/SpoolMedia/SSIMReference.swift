import Foundation

/// The frames an output's SSIM is measured against, written by the transcode itself.
///
/// Validation compares a window of each output with the source at the output's size (`SSIMMeter.window`). Decoding
/// that window of the source again costs more than the rest of validation together: at 1080p, about 50 ms of CPU
/// for three frames, a third of a 10 s clip's fixed cost. The transcode has those very pictures in hand, decoded
/// and scaled for its encoder, so its filter graph splits them off once more, keeps the window, and writes it as raw
/// frames. The pixels are the ones a second decode would give (the decoders are exact), so the measured SSIM is the
/// same to every digit; only the second decode of the source is gone. For an output asked at another frame rate,
/// the reference is the source at that rate, the picture each output frame was encoded from, where a second decode
/// paired output frames with source frames at the source's rate.
public enum SSIMReference {
    /// Raw frames are large: a window that would take more than this is measured the old way, by decoding.
    static let maximumBytes = 128 << 20

    /// Where a job's reference files go; nil where the pictures live on a GPU (downloading them would cost more than
    /// the decode saved) or where the source's duration, and so the window, is unknown.
    struct Tap {
        var directory: String

        init?(directory: String, path: EncodePath, source: MediaInfo) {
            guard source.videoDurationSeconds > 0 else { return nil }
            switch path {
            case .cpu, .opencl: self.directory = directory
            case .cuda: return nil
            }
        }

        func file(for base: String) -> String { "\(directory)/\(base).nut" }
    }

    /// The window's raw yuv420p frames at `size` fit in `maximumBytes`.
    static func fits(size: FrameSize, frameRate: Double, duration: Double) -> Bool {
        let (_, length) = SSIMMeter.window(duration: duration)
        let rate = SSIMMeter.sampleRate(windowLength: length).map(Double.init) ?? max(frameRate, 1)
        let frames = (length * rate).rounded(.up) + 1
        return frames * Double(size.width * size.height) * 1.5 <= Double(maximumBytes)
    }

    /// From the encoder's picture to the reference: the window's frames, timed from zero, thinned as
    /// `SSIMMeter` thins the output's.
    static func tapChain(duration: Double) -> String {
        let (start, length) = SSIMMeter.window(duration: duration)
        let chain = "trim=start=\(seconds(start)):duration=\(seconds(length)),setpts=PTS-STARTPTS"
        return SSIMMeter.sampleRate(windowLength: length).map { chain + ",fps=\($0)" } ?? chain
    }

    /// Rounded as `SSIMMeter` rounds the output's seek, so both sides cover the same frames.
    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Raw frames in NUT, which records their size, pixel format and times; every frame kept as it comes.
    static func outputArguments(file: String) -> [String] {
        ["-c:v", "rawvideo", "-fps_mode", "passthrough", "-an", "-f", "nut", file]
    }
}
