/// How long one job runs on each kind of device, in seconds. The path a placement takes decides which applies.
public struct JobDurations: Sendable, Codable, Equatable {
    /// NVDEC → NVENC on a GPU with encoders (L4, T4, L40S).
    public var nvencSeconds: Double
    /// NVDEC on a decode-only GPU (H100, H200) with libx264 on the host: the host encode dominates.
    public var nvdecWithCPUSeconds: Double
    /// libx264/libx265 on the host only.
    public var cpuSeconds: Double

    public init(nvencSeconds: Double, nvdecWithCPUSeconds: Double, cpuSeconds: Double) {
        self.nvencSeconds = nvencSeconds
        self.nvdecWithCPUSeconds = nvdecWithCPUSeconds
        self.cpuSeconds = cpuSeconds
    }

    /// The run time on the device a placement chose: a GPU that holds encoder sessions encodes on NVENC, a GPU
    /// without them only decodes, and no GPU means the host does everything.
    func seconds(onGPU: Bool, holdsEncoderSessions: Bool) -> Double {
        guard onGPU else { return cpuSeconds }
        return holdsEncoderSessions ? nvencSeconds : nvdecWithCPUSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case nvencSeconds = "nvenc_seconds"
        case nvdecWithCPUSeconds = "nvdec_with_cpu_seconds"
        case cpuSeconds = "cpu_seconds"
    }
}
