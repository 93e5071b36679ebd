import Foundation

/// The subset of `ffprobe -show_streams -show_format -of json` that Spool reads. Every field is optional and decoded
/// leniently: ffprobe prints "N/A", omits keys per container, and a value of an unexpected type must not make a
/// readable file look unreadable.
struct FFprobeDocument: Decodable, Sendable {
    struct Stream: Decodable, Sendable {
        var index: Int?
        var codecName: String?
        var codecType: String?
        var width: Int?
        var height: Int?
        var rFrameRate: String?
        var avgFrameRate: String?
        var duration: String?
        var nbFrames: String?
        var nbReadPackets: String?
        var channels: Int?
        var sampleRate: String?
        var disposition: [String: Int]?
        var tags: [String: String]?
        var sideDataList: [SideData]?

        enum CodingKeys: String, CodingKey {
            case index, width, height, duration, channels, disposition, tags
            case codecName = "codec_name"
            case codecType = "codec_type"
            case rFrameRate = "r_frame_rate"
            case avgFrameRate = "avg_frame_rate"
            case nbFrames = "nb_frames"
            case nbReadPackets = "nb_read_packets"
            case sampleRate = "sample_rate"
            case sideDataList = "side_data_list"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try? c.decodeIfPresent(Int.self, forKey: .index)
            codecName = try? c.decodeIfPresent(String.self, forKey: .codecName)
            codecType = try? c.decodeIfPresent(String.self, forKey: .codecType)
            width = try? c.decodeIfPresent(Int.self, forKey: .width)
            height = try? c.decodeIfPresent(Int.self, forKey: .height)
            rFrameRate = try? c.decodeIfPresent(String.self, forKey: .rFrameRate)
            avgFrameRate = try? c.decodeIfPresent(String.self, forKey: .avgFrameRate)
            duration = try? c.decodeIfPresent(String.self, forKey: .duration)
            nbFrames = try? c.decodeIfPresent(String.self, forKey: .nbFrames)
            nbReadPackets = try? c.decodeIfPresent(String.self, forKey: .nbReadPackets)
            channels = try? c.decodeIfPresent(Int.self, forKey: .channels)
            sampleRate = try? c.decodeIfPresent(String.self, forKey: .sampleRate)
            disposition = try? c.decodeIfPresent([String: Int].self, forKey: .disposition)
            tags = try? c.decodeIfPresent([String: String].self, forKey: .tags)
            sideDataList = try? c.decodeIfPresent([SideData].self, forKey: .sideDataList)
        }

        var isAttachedPicture: Bool { disposition?["attached_pic"] == 1 }

        var durationSeconds: Double? {
            if let seconds = duration.flatMap(Double.init), seconds.isFinite, seconds > 0 { return seconds }
            // Matroska keeps per-stream durations only in a DURATION tag ("00:00:02.009000000").
            let tag = tags?.first { $0.key.uppercased() == "DURATION" }?.value
            return tag.flatMap(FFprobeDocument.seconds(fromTimestamp:))
        }

        var frameRate: Double? {
            FFprobeDocument.rate(avgFrameRate) ?? FFprobeDocument.rate(rFrameRate)
        }

        /// Degrees, from the display matrix side data (ffmpeg 5+) or the legacy `rotate` tag.
        var rotation: Int {
            if let degrees = sideDataList?.compactMap(\.rotation).first { return degrees }
            return tags?["rotate"].flatMap { Int($0) } ?? 0
        }
    }

    struct SideData: Decodable, Sendable {
        var rotation: Int?

        enum CodingKeys: String, CodingKey { case rotation }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let whole = try? c.decodeIfPresent(Int.self, forKey: .rotation) {
                rotation = whole
            } else if let fractional = try? c.decodeIfPresent(Double.self, forKey: .rotation), fractional.isFinite {
                rotation = Int(fractional.rounded())
            } else {
                rotation = nil
            }
        }
    }

    struct Format: Decodable, Sendable {
        var formatName: String?
        var duration: String?
        var size: String?

        enum CodingKeys: String, CodingKey {
            case duration, size
            case formatName = "format_name"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            formatName = try? c.decodeIfPresent(String.self, forKey: .formatName)
            duration = try? c.decodeIfPresent(String.self, forKey: .duration)
            size = try? c.decodeIfPresent(String.self, forKey: .size)
        }

        var durationSeconds: Double? {
            guard let seconds = duration.flatMap(Double.init), seconds.isFinite, seconds > 0 else { return nil }
            return seconds
        }
    }

    var streams: [Stream]
    var format: Format?

    enum CodingKeys: String, CodingKey { case streams, format }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        streams = (try? c.decodeIfPresent([Stream].self, forKey: .streams)) ?? []
        format = try? c.decodeIfPresent(Format.self, forKey: .format)
    }

    static func decode(_ data: Data) -> FFprobeDocument? {
        try? JSONDecoder().decode(FFprobeDocument.self, from: data)
    }

    /// The first video stream that is a picture sequence rather than embedded cover art.
    var primaryVideo: Stream? {
        streams.first { $0.codecType == "video" && !$0.isAttachedPicture }
    }

    var primaryAudio: Stream? {
        streams.first { $0.codecType == "audio" }
    }

    /// "30000/1001" → 29.97; "0/0" and junk → nil.
    static func rate(_ text: String?) -> Double? {
        guard let text else { return nil }
        let parts = text.split(separator: "/")
        let value: Double?
        switch parts.count {
        case 1: value = Double(parts[0])
        case 2:
            guard let numerator = Double(parts[0]), let denominator = Double(parts[1]), denominator != 0 else {
                return nil
            }
            value = numerator / denominator
        default: value = nil
        }
        guard let value, value.isFinite, value > 0 else { return nil }
        return value
    }

    /// "HH:MM:SS.fraction" → seconds.
    static func seconds(fromTimestamp text: String) -> Double? {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let hours = Double(parts[0]), let minutes = Double(parts[1]),
            let seconds = Double(parts[2])
        else { return nil }
        let total = hours * 3600 + minutes * 60 + seconds
        return total.isFinite && total > 0 ? total : nil
    }
}
