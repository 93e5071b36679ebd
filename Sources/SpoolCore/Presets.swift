/// Named output sets that ship with Spool. `GET /v1/presets` lists them.
public struct Preset: Codable, Sendable, Equatable {
    public var name: String
    public var summary: String
    public var outputs: [OutputSpec]
}

public enum Presets {
    public static let all: [Preset] = [
        Preset(
            name: "web-1080p", summary: "H.264 1080p MP4 with AAC audio, CRF 23",
            outputs: [
                OutputSpec(
                    name: "1080p",
                    format: .mp4(video: VideoSettings(codec: .h264, height: 1080, crf: 23), audio: AudioSettings()))
            ]),
        Preset(
            name: "web-720p", summary: "H.264 720p MP4 with AAC audio, CRF 23",
            outputs: [
                OutputSpec(
                    name: "720p",
                    format: .mp4(video: VideoSettings(codec: .h264, height: 720, crf: 23), audio: AudioSettings()))
            ]),
        Preset(
            name: "web-360p", summary: "H.264 360p MP4 with AAC audio, CRF 26: a small preview",
            outputs: [
                OutputSpec(
                    name: "360p",
                    format: .mp4(video: VideoSettings(codec: .h264, height: 360, crf: 26), audio: AudioSettings()))
            ]),
        Preset(
            name: "hevc-1080p", summary: "HEVC 1080p MP4 with AAC audio, CRF 28",
            outputs: [
                OutputSpec(
                    name: "1080p-hevc",
                    format: .mp4(video: VideoSettings(codec: .hevc, height: 1080, crf: 28), audio: AudioSettings()))
            ]),
        Preset(
            name: "hls-ladder", summary: "HLS ladder 1080p/720p/480p/360p with a master playlist, 4 s segments",
            outputs: [
                OutputSpec(
                    name: "hls",
                    format: .hls(
                        renditions: [
                            Rendition(video: VideoSettings(height: 1080, bitrateKbps: 5000)),
                            Rendition(video: VideoSettings(height: 720, bitrateKbps: 2800)),
                            Rendition(video: VideoSettings(height: 480, bitrateKbps: 1400)),
                            Rendition(video: VideoSettings(height: 360, bitrateKbps: 800)),
                        ], segmentSeconds: 4))
            ]),
        Preset(
            name: "thumbnails", summary: "One 180p JPEG every 10 seconds",
            outputs: [OutputSpec(name: "thumbs", format: .thumbnails(everySeconds: 10, count: nil, height: 180))]),
        Preset(
            name: "web-default",
            summary: "720p MP4, 360p MP4 and thumbnails every 5 s: what `spool submit` uses by default",
            outputs: [
                OutputSpec(
                    name: "720p",
                    format: .mp4(video: VideoSettings(codec: .h264, height: 720, crf: 23), audio: AudioSettings())),
                OutputSpec(
                    name: "360p",
                    format: .mp4(video: VideoSettings(codec: .h264, height: 360, crf: 26), audio: AudioSettings())),
                OutputSpec(name: "thumbs", format: .thumbnails(everySeconds: 5, count: nil, height: 180)),
            ]),
    ]

    public static func named(_ name: String) -> Preset? { all.first { $0.name == name } }
}
