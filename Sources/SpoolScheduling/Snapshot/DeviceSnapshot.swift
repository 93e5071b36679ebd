import GPUMemoryLedger
import SpoolCore

/// One device a job may be placed on, as the scheduler saw it at the start of a cycle: a GPU with its ledger and
/// session counts, or a worker's host CPU (and OpenCL) for jobs that encode there.
public struct DeviceSnapshot: Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case gpu
        case opencl
        case cpu
    }

    public var kind: Kind
    /// The GPU index on its worker; nil for the host.
    public var gpuIndex: Int?
    public var model: String
    public var engines: VideoEngines
    public var performance: GPUPerformance
    public var memory: GPUMemoryLedger?
    public var encoderSessions: SessionCount
    public var decoderSessions: SessionCount
    /// 0…1, from nvidia-smi; nil when not measured.
    public var utilization: Double?
    public var temperatureC: Double?
    public var powerDrawW: Double?
    public var powerLimitW: Double?
    /// nil or `.healthy` when placeable.
    public var fencedReason: String?

    public init(
        kind: Kind, gpuIndex: Int?, model: String, engines: VideoEngines = VideoEngines(nvenc: 0, nvdec: 0),
        performance: GPUPerformance, memory: GPUMemoryLedger?, encoderSessions: SessionCount = SessionCount(capacity: 0),
        decoderSessions: SessionCount = SessionCount(capacity: 0), utilization: Double? = nil,
        temperatureC: Double? = nil, powerDrawW: Double? = nil, powerLimitW: Double? = nil, fencedReason: String? = nil
    ) {
        self.kind = kind
        self.gpuIndex = gpuIndex
        self.model = model
        self.engines = engines
        self.performance = performance
        self.memory = memory
        self.encoderSessions = encoderSessions
        self.decoderSessions = decoderSessions
        self.utilization = utilization
        self.temperatureC = temperatureC
        self.powerDrawW = powerDrawW
        self.powerLimitW = powerLimitW
        self.fencedReason = fencedReason
    }

    /// How the job would run here, or nil when its acceleration rules this device out.
    public func path(for acceleration: Acceleration) -> DevicePath? {
        switch (kind, acceleration) {
        case (.gpu, .nvenc): engines.canEncode ? .nvenc : nil
        case (.gpu, .gpu), (.gpu, .auto): engines.canEncode ? .nvenc : (engines.canDecode ? .nvdec : nil)
        case (.gpu, .cpu): nil
        case (.opencl, .auto): .opencl
        case (.opencl, _): nil
        case (.cpu, .auto), (.cpu, .cpu): .cpu
        case (.cpu, _): nil
        }
    }

    public var label: String { gpuIndex.map { "gpu\($0) \(model)" } ?? "\(kind.rawValue) \(model)" }
}
