import SpoolCore

/// How large an input a worker decodes. A small file can declare an enormous frame (a 749 KB PNG-in-MOV decodes to
/// 16000×16000, ~900 MB of ffmpeg memory) or an absurd frame rate; such inputs are refused at probe time as
/// `unsupported`, which is not retried: another attempt would read the same bytes.
public struct InputLimits: Sendable, Equatable {
    /// Width × height of the video stream. The default admits 8K UHD (7680×4320, 33.2 MP) with room to spare.
    public var maxPixels: Int
    /// Frames per second of the video stream.
    public var maxFrameRate: Double

    public static let standard = InputLimits(maxPixels: 40_000_000, maxFrameRate: 240)

    public init(maxPixels: Int, maxFrameRate: Double) {
        self.maxPixels = maxPixels
        self.maxFrameRate = maxFrameRate
    }

    /// Nil when the input is within the limits; else the error the job fails with, saying what to change.
    public func check(_ info: MediaInfo) -> JobError? {
        guard let video = info.video else { return nil }
        let pixels = video.width * video.height
        if pixels > maxPixels {
            return JobError(
                code: .unsupported,
                message: "the input's frame is \(video.width)×\(video.height) (\(pixels) pixels), over this worker's "
                    + "limit of \(maxPixels) (--max-input-pixels); scale it down before uploading")
        }
        if video.frameRate > maxFrameRate {
            return JobError(
                code: .unsupported,
                message: "the input declares \(video.frameRate) frames per second, over this worker's limit of "
                    + "\(maxFrameRate) (--max-input-fps)")
        }
        return nil
    }
}
