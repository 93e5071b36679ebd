/// An output picture size. The builder and the validator both use this, so what is asked for is what is checked.
struct FrameSize: Sendable, Equatable {
    var width: Int
    var height: Int

    /// The asked size, with a missing side taken from the source aspect ratio. Every side is rounded to an even
    /// number because 4:2:0 chroma needs it; nothing else is changed (an asked size larger than the source is kept).
    static func target(width: Int?, height: Int?, source: MediaInfo) -> FrameSize {
        let sourceWidth = Double(source.video?.width ?? 1280)
        let sourceHeight = Double(source.video?.height ?? 720)
        switch (width, height) {
        case (let width?, let height?):
            return FrameSize(width: even(Double(width)), height: even(Double(height)))
        case (nil, let height?):
            return FrameSize(width: even(sourceWidth * Double(height) / sourceHeight), height: even(Double(height)))
        case (let width?, nil):
            return FrameSize(width: even(Double(width)), height: even(sourceHeight * Double(width) / sourceWidth))
        case (nil, nil):
            return FrameSize(width: even(sourceWidth), height: even(sourceHeight))
        }
    }

    var pixels: Int { width * height }

    /// The index of the size with the most pixels, the first of equals: the ladder rendition whose SSIM validation
    /// measures, and so the one whose transcode keeps an SSIM reference.
    static func largest(_ sizes: [FrameSize]) -> Int? {
        sizes.indices.reduce(nil as Int?) { best, index in
            guard let best else { return index }
            return sizes[index].pixels > sizes[best].pixels ? index : best
        }
    }

    static func even(_ value: Double) -> Int {
        guard value.isFinite else { return 2 }
        return max(2, Int((value / 2).rounded(.toNearestOrEven)) * 2)
    }
}
