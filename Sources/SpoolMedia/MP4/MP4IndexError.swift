/// Why an MP4's index could not be read here; the caller then asks ffprobe, which has the last word.
enum MP4IndexError: Error, Sendable, Equatable {
    /// Not laid out as this reader expects (no `moov`, fragmented, an unknown codec, an edit list it does not model).
    case unsupported(String)
    /// A box that contradicts its parent or the file.
    case damaged(String)
    case unreadable(String)
}
