import Foundation

/// The parts of an M3U8 playlist the validator checks: the URIs it lists and, for a media playlist, the segment
/// durations and whether it was finished.
struct HLSPlaylist: Sendable, Equatable {
    var uris: [String]
    var segmentDurations: [Double]
    var hasEndList: Bool

    var totalDuration: Double { segmentDurations.reduce(0, +) }

    /// Nil when the text is not a playlist at all.
    static func parse(_ text: String) -> HLSPlaylist? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.first == "#EXTM3U" else { return nil }
        var playlist = HLSPlaylist(uris: [], segmentDurations: [], hasEndList: false)
        for line in lines where !line.isEmpty {
            if line.hasPrefix("#EXTINF:") {
                let value = line.dropFirst("#EXTINF:".count).prefix { $0 != "," }
                playlist.segmentDurations.append(Double(value) ?? 0)
            } else if line == "#EXT-X-ENDLIST" {
                playlist.hasEndList = true
            } else if !line.hasPrefix("#") {
                playlist.uris.append(line)
            }
        }
        return playlist
    }

    /// A URI the validator may follow: relative, inside the playlist's folder tree, no scheme.
    static func isLocalRelative(_ uri: String) -> Bool {
        !uri.hasPrefix("/") && !uri.contains(":") && !uri.split(separator: "/").contains("..")
    }
}
