/// A committed output, as validated by ffprobe after the transcode.
public struct OutputResult: Codable, Sendable, Equatable {
    public var name: String
    public var kind: OutputKind
    /// Path relative to the job's output directory: the MP4 file, the HLS master playlist or the first thumbnail.
    public var path: String
    /// Every file of the output, relative to the job's output directory.
    public var files: [String]
    public var codec: String?
    public var width: Int?
    public var height: Int?
    public var durationSeconds: Double?
    public var sizeBytes: Int64
    /// Mean SSIM of sampled frames against the source scaled to the same size (1 = identical).
    public var ssim: Double?

    public init(
        name: String, kind: OutputKind, path: String, files: [String], codec: String?, width: Int?, height: Int?,
        durationSeconds: Double?, sizeBytes: Int64, ssim: Double?
    ) {
        self.name = name
        self.kind = kind
        self.path = path
        self.files = files
        self.codec = codec
        self.width = width
        self.height = height
        self.durationSeconds = durationSeconds
        self.sizeBytes = sizeBytes
        self.ssim = ssim
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, path, files, codec, width, height, ssim
        case durationSeconds = "duration_seconds"
        case sizeBytes = "size_bytes"
    }
}
