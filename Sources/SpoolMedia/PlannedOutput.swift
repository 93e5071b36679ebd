import SpoolCore

/// One requested output and where its main file will be, relative to the job's staging directory:
/// "small.mp4", "hls/master.m3u8", "thumbs/0001.jpg".
public struct PlannedOutput: Sendable, Equatable {
    public var spec: OutputSpec
    public var primaryPath: String
    /// Absolute path of the frames its SSIM is measured against, written by the transcode (see `SSIMReference`);
    /// nil when validation decodes the source for them.
    public var ssimReference: String?

    public init(spec: OutputSpec, primaryPath: String, ssimReference: String? = nil) {
        self.spec = spec
        self.primaryPath = primaryPath
        self.ssimReference = ssimReference
    }

    /// The folder holding every file of an HLS or thumbnail output; nil for a single-file MP4.
    var directory: String? {
        switch spec.kind {
        case .mp4: nil
        case .hls, .thumbnails: primaryPath.split(separator: "/").dropLast().joined(separator: "/")
        }
    }
}
