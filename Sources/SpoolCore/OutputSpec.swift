public enum VideoCodec: String, Codable, Sendable, CaseIterable {
    case h264
    case hevc
}

public enum AudioCodec: String, Codable, Sendable, CaseIterable {
    case aac
    case none
}

/// One video encoding: target size and rate control. Unset width or height keeps the aspect ratio.
public struct VideoSettings: Codable, Sendable, Equatable, Hashable {
    public var codec: VideoCodec
    public var width: Int?
    public var height: Int?
    public var bitrateKbps: Int?
    public var crf: Int?
    public var fps: Double?

    public init(
        codec: VideoCodec = .h264, width: Int? = nil, height: Int? = nil, bitrateKbps: Int? = nil, crf: Int? = nil,
        fps: Double? = nil
    ) {
        self.codec = codec
        self.width = width
        self.height = height
        self.bitrateKbps = bitrateKbps
        self.crf = crf
        self.fps = fps
    }

    enum CodingKeys: String, CodingKey {
        case codec, width, height, crf, fps
        case bitrateKbps = "bitrate_kbps"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        codec = try c.decodeIfPresent(VideoCodec.self, forKey: .codec) ?? .h264
        width = try c.decodeIfPresent(Int.self, forKey: .width)
        height = try c.decodeIfPresent(Int.self, forKey: .height)
        bitrateKbps = try c.decodeIfPresent(Int.self, forKey: .bitrateKbps)
        crf = try c.decodeIfPresent(Int.self, forKey: .crf)
        fps = try c.decodeIfPresent(Double.self, forKey: .fps)
    }
}

public struct AudioSettings: Codable, Sendable, Equatable, Hashable {
    public var codec: AudioCodec
    public var bitrateKbps: Int?

    public init(codec: AudioCodec = .aac, bitrateKbps: Int? = nil) {
        self.codec = codec
        self.bitrateKbps = bitrateKbps
    }

    public static let none = AudioSettings(codec: .none)

    enum CodingKeys: String, CodingKey {
        case codec
        case bitrateKbps = "bitrate_kbps"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        codec = try c.decodeIfPresent(AudioCodec.self, forKey: .codec) ?? .aac
        bitrateKbps = try c.decodeIfPresent(Int.self, forKey: .bitrateKbps)
    }
}

/// One rung of an HLS ladder.
public struct Rendition: Codable, Sendable, Equatable, Hashable {
    public var video: VideoSettings
    public var audio: AudioSettings

    public init(video: VideoSettings, audio: AudioSettings = AudioSettings()) {
        self.video = video
        self.audio = audio
    }

    enum CodingKeys: String, CodingKey { case video, audio }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        video = try c.decode(VideoSettings.self, forKey: .video)
        audio = try c.decodeIfPresent(AudioSettings.self, forKey: .audio) ?? AudioSettings()
    }
}

/// What one output of a job is.
public enum OutputKind: String, Codable, Sendable, CaseIterable {
    case mp4
    case hls
    case thumbnails
}

/// One requested output. The wire shape is flat: `{"name", "kind", ...kind-specific fields}`.
public struct OutputSpec: Codable, Sendable, Equatable, Hashable {
    public enum Format: Sendable, Equatable, Hashable {
        case mp4(video: VideoSettings, audio: AudioSettings)
        case hls(renditions: [Rendition], segmentSeconds: Int)
        /// Either one frame every `everySeconds`, or `count` frames spread over the clip.
        case thumbnails(everySeconds: Double?, count: Int?, height: Int)
    }

    public var name: String
    public var format: Format

    public init(name: String, format: Format) {
        self.name = name
        self.format = format
    }

    public var kind: OutputKind {
        switch format {
        case .mp4: .mp4
        case .hls: .hls
        case .thumbnails: .thumbnails
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, video, audio, renditions, count, height
        case segmentSeconds = "segment_seconds"
        case everySeconds = "every_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        switch try c.decode(OutputKind.self, forKey: .kind) {
        case .mp4:
            format = .mp4(
                video: try c.decodeIfPresent(VideoSettings.self, forKey: .video) ?? VideoSettings(),
                audio: try c.decodeIfPresent(AudioSettings.self, forKey: .audio) ?? AudioSettings()
            )
        case .hls:
            format = .hls(
                renditions: try c.decode([Rendition].self, forKey: .renditions),
                segmentSeconds: try c.decodeIfPresent(Int.self, forKey: .segmentSeconds) ?? 4
            )
        case .thumbnails:
            format = .thumbnails(
                everySeconds: try c.decodeIfPresent(Double.self, forKey: .everySeconds),
                count: try c.decodeIfPresent(Int.self, forKey: .count),
                height: try c.decodeIfPresent(Int.self, forKey: .height) ?? 180
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        switch format {
        case .mp4(let video, let audio):
            try c.encode(video, forKey: .video)
            try c.encode(audio, forKey: .audio)
        case .hls(let renditions, let segmentSeconds):
            try c.encode(renditions, forKey: .renditions)
            try c.encode(segmentSeconds, forKey: .segmentSeconds)
        case .thumbnails(let everySeconds, let count, let height):
            try c.encodeIfPresent(everySeconds, forKey: .everySeconds)
            try c.encodeIfPresent(count, forKey: .count)
            try c.encode(height, forKey: .height)
        }
    }
}
