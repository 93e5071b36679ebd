/// What one task of a segmented job makes. A task is an ordinary job (placed, leased, fenced and committed like
/// any other) that names its parent; the parent joins the tasks' outputs once all of them have succeeded.
public struct SegmentTask: Codable, Sendable, Equatable, Hashable {
    public enum Piece: Codable, Sendable, Equatable, Hashable {
        /// One segment of one rendition's video, without audio: rendition `rendition` of output `output`
        /// (0 for an MP4 output).
        case video(segment: Int, output: Int, rendition: Int)
        /// Everything made from the whole input at once: the audio of every output (encoded once, so no seam can
        /// drift) and the thumbnails.
        case companion
    }

    public var parent: JobID
    public var piece: Piece
    /// The segment holds the frames with `start ≤ pts < end`, in seconds on the input's own timeline (as ffprobe
    /// prints them); nil: from the first frame, or to the last.
    public var start: Double?
    public var end: Double?
    /// Where decoding starts (`-ss`): the segment's key frame, as its distance from the input's start time.
    public var seekTo: Double?
    /// Frames the segment must hold, counted from the input's packets when the job was planned.
    public var expectedFrames: Int?
    /// For a rendition of an HLS ladder: its segment length (the ladder's encoder settings apply) and where,
    /// in seconds after the piece's first frame, key frames are forced so that HLS segments can be cut there.
    public var hlsSegmentSeconds: Int?
    public var keyFrames: [Double]?

    public init(
        parent: JobID, piece: Piece, start: Double? = nil, end: Double? = nil, seekTo: Double? = nil,
        expectedFrames: Int? = nil, hlsSegmentSeconds: Int? = nil, keyFrames: [Double]? = nil
    ) {
        self.hlsSegmentSeconds = hlsSegmentSeconds
        self.keyFrames = keyFrames
        self.parent = parent
        self.piece = piece
        self.start = start
        self.end = end
        self.seekTo = seekTo
        self.expectedFrames = expectedFrames
    }

    enum CodingKeys: String, CodingKey {
        case parent, piece, start, end
        case seekTo = "seek_to"
        case expectedFrames = "expected_frames"
        case hlsSegmentSeconds = "hls_segment_seconds"
        case keyFrames = "key_frames"
    }

    /// A stable name for the task, used in its idempotency key and its output's name.
    public var name: String {
        switch piece {
        case .video(let segment, let output, let rendition): "s\(segment)-o\(output)-r\(rendition)"
        case .companion: "companion"
        }
    }
}
