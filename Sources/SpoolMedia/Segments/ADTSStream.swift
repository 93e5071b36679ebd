import Foundation

/// AAC in ADTS framing, as an audio piece is encoded: each frame carries its own length, so frames are counted,
/// dropped and concatenated without a demuxer and without touching a timestamp (ADTS has none: a frame's place is its
/// position). That is what makes the audio pieces of a segmented job join exactly.
public enum ADTSStream {
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    /// The byte range of every frame, in order.
    public static func frames(_ bytes: [UInt8]) throws(Malformed) -> [Range<Int>] {
        var frames: [Range<Int>] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 7 <= bytes.count, bytes[offset] == 0xFF, bytes[offset + 1] & 0xF6 == 0xF0 else {
                throw Malformed(description: "no ADTS frame header at byte \(offset)")
            }
            let length =
                (Int(bytes[offset + 3] & 0x03) << 11) | (Int(bytes[offset + 4]) << 3) | (Int(bytes[offset + 5]) >> 5)
            // One raw data block per frame, as ffmpeg's encoder writes: a frame is then exactly 1,024 samples.
            guard bytes[offset + 6] & 0x03 == 0 else {
                throw Malformed(description: "the ADTS frame at byte \(offset) holds more than one raw data block")
            }
            guard length >= 7, offset + length <= bytes.count else {
                throw Malformed(description: "the ADTS frame at byte \(offset) is cut short")
            }
            frames.append(offset..<(offset + length))
            offset += length
        }
        return frames
    }

    /// Rewrites the file with frames `dropFirst ..< dropFirst + keep` (to the end when `keep` is nil) and returns how
    /// many it kept. Fewer frames than asked is an error: the piece is short.
    @discardableResult
    public static func trim(path: String, dropFirst: Int, keep: Int?) throws -> Int {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let all = try frames(bytes)
        let end = keep.map { dropFirst + $0 } ?? all.count
        guard dropFirst <= all.count, end <= all.count else {
            throw Malformed(
                description: "\(path) holds \(all.count) AAC frames; frames \(dropFirst)..<\(end) were needed")
        }
        let kept = all[dropFirst..<end]
        let data = kept.first.map { first in Data(bytes[first.lowerBound..<(kept.last?.upperBound ?? first.lowerBound)])
        }
        try (data ?? Data()).write(to: URL(fileURLWithPath: path), options: .atomic)
        return kept.count
    }

    /// Concatenates pieces frame after frame into `output`, checking each is whole ADTS; returns the frame count.
    @discardableResult
    public static func concatenate(_ pieces: [String], into output: String) throws -> Int {
        var joined = Data()
        var count = 0
        for piece in pieces {
            let data = try Data(contentsOf: URL(fileURLWithPath: piece))
            count += try frames([UInt8](data)).count
            joined.append(data)
        }
        try joined.write(to: URL(fileURLWithPath: output), options: .atomic)
        return count
    }
}
