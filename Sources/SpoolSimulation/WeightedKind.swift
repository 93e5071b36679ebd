/// One entry of a generated workload's mix: a kind of job, how often it occurs, and how fast it runs relative to
/// the length of its source media on each kind of device.
public struct WeightedKind: Sendable, Codable, Equatable {
    public var kind: JobKind
    /// Relative frequency; the shares of a mix need not sum to anything in particular.
    public var share: Double
    /// Media seconds transcoded per second on NVENC (all renditions of a ladder together).
    public var nvencSpeed: Double
    /// Media seconds transcoded per second with libx264/libx265 on the host.
    public var cpuSpeed: Double
    /// Decoding on NVDEC frees the host for encoding, so the host path gains this factor.
    public var nvdecSpeedup: Double

    public init(kind: JobKind, share: Double, nvencSpeed: Double, cpuSpeed: Double, nvdecSpeedup: Double = 1.3) {
        self.kind = kind
        self.share = share
        self.nvencSpeed = nvencSpeed
        self.cpuSpeed = cpuSpeed
        self.nvdecSpeedup = nvdecSpeedup
    }

    func durations(mediaSeconds: Double) -> JobDurations {
        JobDurations(
            nvencSeconds: mediaSeconds / nvencSpeed, nvdecWithCPUSeconds: mediaSeconds / (cpuSpeed * nvdecSpeedup),
            cpuSeconds: mediaSeconds / cpuSpeed)
    }

    /// A VOD mix over the built-in presets. Speeds are rough figures for an L4 (NVENC) and a 4-vCPU host (x264
    /// medium): a four-rung ladder encodes four times, HEVC on the CPU is slow.
    public static let vodMix: [WeightedKind] = [
        WeightedKind(kind: JobKind(preset: "web-720p"), share: 30, nvencSpeed: 10, cpuSpeed: 2),
        WeightedKind(kind: JobKind(preset: "hls-ladder"), share: 20, nvencSpeed: 3, cpuSpeed: 0.5),
        WeightedKind(kind: JobKind(preset: "web-1080p", acceleration: .nvenc), share: 15, nvencSpeed: 7, cpuSpeed: 1),
        WeightedKind(kind: JobKind(preset: "hevc-1080p", acceleration: .gpu), share: 10, nvencSpeed: 6, cpuSpeed: 0.4),
        WeightedKind(kind: JobKind(preset: "web-360p"), share: 15, nvencSpeed: 16, cpuSpeed: 5),
        WeightedKind(kind: JobKind(preset: "web-default"), share: 10, nvencSpeed: 8, cpuSpeed: 1.5),
    ]

    private enum CodingKeys: String, CodingKey {
        case kind, share
        case nvencSpeed = "nvenc_speed"
        case cpuSpeed = "cpu_speed"
        case nvdecSpeedup = "nvdec_speedup"
    }
}
