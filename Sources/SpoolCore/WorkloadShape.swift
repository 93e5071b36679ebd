/// The size of a job's video work, reduced to what GPU memory and hardware sessions depend on: how many video
/// encodes it runs at once and how many pixels each frame of them holds.
public struct WorkloadShape: Sendable, Equatable, Hashable {
    /// Video encodes one ffmpeg run performs (one per MP4, one per HLS rung); each is one NVENC session on a GPU.
    public var videoEncodes: Int
    /// Pixels per frame summed over every video encode.
    public var outputPixels: Int
    public var inputPixels: Int
    /// Thumbnails are JPEG on the CPU whatever the device.
    public var hasThumbnails: Bool

    public init(videoEncodes: Int, outputPixels: Int, inputPixels: Int, hasThumbnails: Bool = false) {
        self.videoEncodes = videoEncodes
        self.outputPixels = outputPixels
        self.inputPixels = inputPixels
        self.hasThumbnails = hasThumbnails
    }

    /// The input's size is not known before a worker probes it; placement assumes `assumedInputHeight` (16:9),
    /// raised to the largest output when that is bigger, since ladders rarely upscale.
    public init(spec: JobSpec, assumedInputHeight: Int = 1080) {
        var encodes = 0
        var pixels = 0
        var largest = 0
        var thumbnails = false
        func add(_ video: VideoSettings) {
            let size = Self.frameSize(width: video.width, height: video.height, assumedHeight: assumedInputHeight)
            encodes += 1
            pixels += size
            largest = max(largest, size)
        }
        for output in spec.outputs {
            switch output.format {
            case .mp4(let video, _): add(video)
            case .hls(let renditions, _): renditions.forEach { add($0.video) }
            case .thumbnails: thumbnails = true
            }
        }
        let input = Self.frameSize(width: nil, height: assumedInputHeight, assumedHeight: assumedInputHeight)
        self.init(
            videoEncodes: encodes, outputPixels: pixels, inputPixels: max(input, largest), hasThumbnails: thumbnails)
    }

    static func frameSize(width: Int?, height: Int?, assumedHeight: Int) -> Int {
        switch (width, height) {
        case (let w?, let h?): w * h
        case (let w?, nil): w * (w * 9 / 16)
        case (nil, let h?): (h * 16 / 9) * h
        case (nil, nil): (assumedHeight * 16 / 9) * assumedHeight
        }
    }

    /// The key GPU memory estimates are learned under: the preset, or for custom outputs their shape.
    public static func estimateKey(preset: String?, shape: WorkloadShape) -> String {
        preset ?? "custom:\(shape.videoEncodes)x\(shape.outputPixels)"
    }
}
