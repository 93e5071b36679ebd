/// A snapshot of a running transcode.
public struct TranscodeProgress: Codable, Sendable, Equatable {
    /// 0…1.
    public var fraction: Double
    public var fps: Double?
    /// Media seconds per wall second.
    public var speed: Double?

    public init(fraction: Double, fps: Double? = nil, speed: Double? = nil) {
        self.fraction = min(max(fraction, 0), 1)
        self.fps = fps
        self.speed = speed
    }
}
