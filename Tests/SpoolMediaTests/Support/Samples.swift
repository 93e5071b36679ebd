import SpoolCore

@testable import SpoolMedia

/// Sources and jobs shared by the command builder goldens and the chooser tests.
enum Samples {
    static let source = MediaInfo(
        formatName: "mov,mp4,m4a,3gp,3g2,mj2", durationSeconds: 3.0,
        video: VideoStreamInfo(
            codec: "h264", width: 640, height: 360, frameRate: 25, durationSeconds: 3.0, frameCount: 75),
        audio: AudioStreamInfo(codec: "aac", channels: 1, sampleRate: 44100))

    static let silentSource = MediaInfo(
        formatName: "matroska,webm", durationSeconds: 10.0,
        video: VideoStreamInfo(
            codec: "vp9", width: 1920, height: 1080, frameRate: 30, durationSeconds: nil, frameCount: nil),
        audio: nil)

    /// Every output kind: an H.264 MP4 at the default CRF, an HEVC MP4 at a bitrate without audio, a two-rung HLS
    /// ladder whose second rung has no audio, thumbnails every second and a fixed count of thumbnails.
    static let allKinds: [OutputSpec] = [
        OutputSpec(
            name: "small", format: .mp4(video: VideoSettings(codec: .h264, height: 240), audio: AudioSettings())),
        OutputSpec(
            name: "hevc",
            format: .mp4(
                video: VideoSettings(codec: .hevc, width: 320, bitrateKbps: 300, fps: 12.5), audio: .none)),
        OutputSpec(
            name: "hls",
            format: .hls(
                renditions: [
                    Rendition(
                        video: VideoSettings(height: 360, bitrateKbps: 800), audio: AudioSettings(bitrateKbps: 96)),
                    Rendition(video: VideoSettings(height: 180, crf: 30), audio: .none),
                ], segmentSeconds: 2)),
        OutputSpec(name: "thumbs", format: .thumbnails(everySeconds: 1, count: nil, height: 90)),
        OutputSpec(name: "grid", format: .thumbnails(everySeconds: nil, count: 4, height: 72)),
    ]
}
