/// What ffprobe says about an input: enough to plan sizes, thumbnail spacing and progress, and to validate outputs.
public struct MediaInfo: Sendable, Equatable, Codable {
    /// ffprobe's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm".
    public var formatName: String
    public var durationSeconds: Double
    public var video: VideoStreamInfo?
    public var audio: AudioStreamInfo?

    public init(formatName: String, durationSeconds: Double, video: VideoStreamInfo?, audio: AudioStreamInfo?) {
        self.formatName = formatName
        self.durationSeconds = durationSeconds
        self.video = video
        self.audio = audio
    }

    /// The duration outputs are compared against: the video stream's own when known, since audio often runs longer.
    public var videoDurationSeconds: Double { video?.durationSeconds ?? durationSeconds }
}

/// The first real video stream (cover art is skipped). Width and height are as displayed: a phone clip recorded
/// with a 90° rotation flag reports its upright size, which is what ffmpeg's autorotation produces.
public struct VideoStreamInfo: Sendable, Equatable, Codable {
    public var codec: String
    public var width: Int
    public var height: Int
    public var frameRate: Double
    public var durationSeconds: Double?
    public var frameCount: Int?

    public init(codec: String, width: Int, height: Int, frameRate: Double, durationSeconds: Double?, frameCount: Int?) {
        self.codec = codec
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.durationSeconds = durationSeconds
        self.frameCount = frameCount
    }
}

public struct AudioStreamInfo: Sendable, Equatable, Codable {
    public var codec: String
    public var channels: Int
    public var sampleRate: Int

    public init(codec: String, channels: Int, sampleRate: Int) {
        self.codec = codec
        self.channels = channels
        self.sampleRate = sampleRate
    }
}
