/// Where an AAC encode of the input's audio puts its frames: every 1,024 samples from the first decoded sample. Audio
/// pieces are cut on this grid, so the frames each piece keeps are the frames a whole-file encode would have made at
/// the same places, and the pieces join by concatenating frames: no gap, no overlap, no drift.
public struct AudioGrid: Codable, Sendable, Equatable, Hashable {
    /// Samples per AAC frame (AAC-LC).
    public static let frameSamples = 1_024

    /// Frames an audio piece encodes before its first kept frame and drops: the encoder's delay (one frame), its
    /// window reaching back over the previous frame, and the decoder's first frame after a seek, which lacks the
    /// frame before it to overlap with. Four leave a frame to spare.
    public static let preRollFrames = 4

    /// The first decoded audio sample's time on the input's timeline (seconds, as ffprobe prints it).
    public var start: Double
    public var sampleRate: Int

    public init(start: Double, sampleRate: Int) {
        self.start = start
        self.sampleRate = max(1, sampleRate)
    }

    /// Seconds one AAC frame lasts.
    public var frameSeconds: Double { Double(Self.frameSamples) / Double(sampleRate) }

    /// The frame boundary nearest `time` (never before the first sample): its index from the start, and its time.
    public func boundary(near time: Double) -> (frame: Int, time: Double) {
        let frame = max(0, Int(((time - start) / frameSeconds).rounded()))
        return (frame, self.time(ofFrame: frame))
    }

    public func time(ofFrame frame: Int) -> Double { start + Double(frame) * frameSeconds }

    enum CodingKeys: String, CodingKey {
        case start
        case sampleRate = "sample_rate"
    }
}
