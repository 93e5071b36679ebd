/// File names inside an output's folder. Shared by the command builder (which writes them) and the validator
/// (which checks them).
enum OutputLayout {
    static let masterPlaylist = "master.m3u8"
    static let variantPlaylist = "index.m3u8"
    static let segmentPattern = "seg_%05d.ts"
    static let thumbnailPattern = "%04d.jpg"
    static let firstThumbnail = "0001.jpg"

    /// The folder of HLS rendition `index`, as `%v` expands in `-var_stream_map`.
    static func variantName(_ index: Int) -> String { "r\(index)" }

    static func isThumbnailFile(_ name: String) -> Bool {
        guard name.hasSuffix(".jpg") else { return false }
        let stem = name.dropLast(4)
        return stem.count >= 4 && stem.allSatisfy(\.isASCIIDigit)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
