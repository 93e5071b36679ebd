import Foundation
import SpoolCore

/// Reads the `key=value` lines ffmpeg writes for `-progress pipe:1`. A block ends with `progress=continue` or
/// `progress=end`; each completed block yields one snapshot.
public struct FFmpegProgressParser: Sendable {
    public let durationSeconds: Double
    /// Media time written so far, in microseconds (`out_time_us`; `out_time_ms` carries the same value).
    public private(set) var outTimeMicroseconds: Int64?
    /// Frames written so far for the first video output.
    public private(set) var frame: Int?
    /// Bytes muxed so far.
    public private(set) var totalSize: Int64?
    /// Whether ffmpeg reported `progress=end`.
    public private(set) var isEnd = false

    private var fps: Double?
    private var speed: Double?

    public init(durationSeconds: Double) {
        self.durationSeconds = durationSeconds
    }

    /// Feeds one line; returns a snapshot when the line closes a block, else nil.
    public mutating func feed(line: String) -> TranscodeProgress? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        let key = line[..<equals].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        switch key {
        case "out_time_us":
            // "N/A" before the first packet; a negative start time before the first audio frame is muxed.
            if let micros = Int64(value) { outTimeMicroseconds = max(0, micros) }
        case "frame":
            if let frames = Int(value) { frame = frames }
        case "total_size":
            if let bytes = Int64(value) { totalSize = bytes }
        case "fps":
            fps = Double(value).flatMap { $0.isFinite ? $0 : nil }
        case "speed":
            // "1.38x", or "N/A" until ffmpeg can tell.
            let number = value.hasSuffix("x") ? String(value.dropLast()) : value
            speed = Double(number.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
        case "progress":
            isEnd = value == "end"
            return snapshot
        default:
            break
        }
        return nil
    }

    /// The latest values as a snapshot.
    public var snapshot: TranscodeProgress {
        let seconds = Double(outTimeMicroseconds ?? 0) / 1_000_000
        let fraction = durationSeconds > 0 ? seconds / durationSeconds : 0
        return TranscodeProgress(fraction: fraction, fps: fps, speed: speed)
    }

    /// What the stall watchdog compares: any of these moving means ffmpeg is getting somewhere.
    var advanceMarker: ProgressMarker {
        ProgressMarker(outTimeMicroseconds: outTimeMicroseconds, frame: frame, totalSize: totalSize)
    }
}
