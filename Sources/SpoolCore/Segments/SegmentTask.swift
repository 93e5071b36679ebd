/// What one task of a segmented job makes. A task is an ordinary job (placed, leased, fenced and committed like
/// any other) that names its parent; the parent joins the tasks' outputs once all of them have succeeded.
public struct SegmentTask: Codable, Sendable, Equatable, Hashable {
    public enum Piece: Codable, Sendable, Equatable, Hashable {
        /// One segment of one rendition's video, without audio: rendition `rendition` of output `output`
        /// (0 for an MP4 output).
        case video(segment: Int, output: Int, rendition: Int)
        /// One segment of the audio, at every bitrate the outputs ask for: the AAC frames from `start` to `end` on
        /// the input's `AudioGrid`, encoded with a few frames of pre-roll that are dropped, so the pieces join frame
        /// by frame into what one encoder would have made.
        case audio(segment: Int)
        /// What is made from the whole input at once: the thumbnails (and, in plans recorded before audio was cut
        /// into pieces, the audio).
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
    /// For an audio piece: the grid it is cut on (`start`, `end` and `expectedFrames` count in its frames).
    public var audioGrid: AudioGrid?

    public init(
        parent: JobID, piece: Piece, start: Double? = nil, end: Double? = nil, seekTo: Double? = nil,
        expectedFrames: Int? = nil, hlsSegmentSeconds: Int? = nil, keyFrames: [Double]? = nil,
        audioGrid: AudioGrid? = nil
    ) {
        self.audioGrid = audioGrid
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
        case audioGrid = "audio_grid"
    }

    /// A stable name for the task, used in its idempotency key and its output's name.
    public var name: String {
        switch piece {
        case .video(let segment, let output, let rendition): "s\(segment)-o\(output)-r\(rendition)"
        case .audio(let segment): "s\(segment)-audio"
        case .companion: "companion"
        }
    }
}
