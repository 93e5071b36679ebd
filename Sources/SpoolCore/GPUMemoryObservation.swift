/// The peak GPU memory the driver gave one job's ffmpeg, as nvidia-smi reported it. Workers publish their latest
/// observations in their registration; the scheduler folds them into its per-preset estimates.
public struct GPUMemoryObservation: Codable, Sendable, Equatable, Hashable {
    public var job: JobID
    /// What estimates are kept per: the preset, or a signature of the outputs (`JobSpec.estimateKey`).
    public var estimateKey: String
    /// "nvenc" or "nvdec": the route the job took on the GPU.
    public var path: String
    public var peakMiB: Int

    public init(job: JobID, estimateKey: String, path: String, peakMiB: Int) {
        self.job = job
        self.estimateKey = estimateKey
        self.path = path
        self.peakMiB = peakMiB
    }

    enum CodingKeys: String, CodingKey {
        case job, path
        case estimateKey = "estimate_key"
        case peakMiB = "peak_mib"
    }
}

extension JobSpec {
    /// The key GPU memory estimates are learned under: the preset, or the shape of custom outputs.
    public var estimateKey: String { WorkloadShape.estimateKey(preset: preset, shape: WorkloadShape(spec: self)) }
}
