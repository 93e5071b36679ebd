import Foundation
import SpoolCore

extension MediaInfo {
    /// Containers Spool accepts as input. ffprobe and ffmpeg are both run with this as `-format_whitelist`, so a
    /// playlist, an image sequence or a concat list smuggled in under a video name is refused before it is opened.
    static let inputFormatWhitelist = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv"

    static let acceptedContainers = "MP4, MOV, MKV, WebM, AVI, MPEG-TS or FLV"

    /// Reads `ffprobe -v error -show_streams -show_format -of json` output. Anything that is not a playable video
    /// with a known, non-zero duration is `invalidInput`, since retrying cannot change the file.
    public static func parse(ffprobeJSON data: Data) throws(JobError) -> MediaInfo {
        guard let document = FFprobeDocument.decode(data) else {
            throw JobError(
                code: .invalidInput,
                message: "ffprobe's description of the input could not be read; upload a \(acceptedContainers) video")
        }
        return try parse(document)
    }

    static func parse(_ document: FFprobeDocument) throws(JobError) -> MediaInfo {
        guard let format = document.format, !document.streams.isEmpty else {
            throw JobError(
                code: .invalidInput,
                message: "the input is not a media file ffprobe can read; upload a \(acceptedContainers) video")
        }
        let formatName = format.formatName ?? "unknown"
        if formatName == "image2" || formatName.hasSuffix("_pipe") {
            throw JobError(
                code: .invalidInput,
                message: "the input is a still image (\(formatName)), not a video; upload a \(acceptedContainers) video"
            )
        }
        guard let videoStream = document.primaryVideo else {
            let kinds = Set(document.streams.compactMap(\.codecType)).sorted().joined(separator: ", ")
            throw JobError(
                code: .invalidInput,
                message: "the input has no video stream (it holds: \(kinds.isEmpty ? "nothing" : kinds)); "
                    + "upload a file with video")
        }
        guard let codedWidth = videoStream.width, let codedHeight = videoStream.height, codedWidth > 0, codedHeight > 0
        else {
            throw JobError(
                code: .invalidInput,
                message: "the video stream has no picture size, so the file is damaged or incomplete; "
                    + "upload a complete, playable video")
        }
        guard let frameRate = videoStream.frameRate else {
            throw JobError(
                code: .invalidInput,
                message: "the video stream has no frame rate, so the file is damaged or incomplete; "
                    + "upload a complete, playable video")
        }
        guard let duration = format.durationSeconds ?? videoStream.durationSeconds else {
            throw JobError(
                code: .invalidInput,
                message: "the input has zero or unknown duration; upload a complete, playable video "
                    + "(a live capture must be finished first)")
        }
        let quarterTurns = ((videoStream.rotation % 360) + 360) % 360 / 90
        let upright = quarterTurns % 2 == 0
        let video = VideoStreamInfo(
            codec: videoStream.codecName ?? "unknown",
            width: upright ? codedWidth : codedHeight,
            height: upright ? codedHeight : codedWidth,
            frameRate: frameRate,
            durationSeconds: videoStream.durationSeconds,
            frameCount: videoStream.nbFrames.flatMap { Int($0) }
        )
        let audio = document.primaryAudio.map { stream in
            AudioStreamInfo(
                codec: stream.codecName ?? "unknown",
                channels: stream.channels ?? 0,
                sampleRate: stream.sampleRate.flatMap { Int($0) } ?? 0
            )
        }
        return MediaInfo(formatName: formatName, durationSeconds: duration, video: video, audio: audio)
    }
}
