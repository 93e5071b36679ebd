/// What ffmpeg on this host can do, detected at worker start (never assumed).
public struct FFmpegCapabilities: Codable, Sendable, Equatable {
    public var ffmpegVersion: String
    public var ffprobeVersion: String
    public var encoders: Set<String>
    public var decoders: Set<String>
    public var filters: Set<String>
    public var hwaccels: Set<String>

    public init(
        ffmpegVersion: String, ffprobeVersion: String, encoders: Set<String>, decoders: Set<String> = [],
        filters: Set<String>, hwaccels: Set<String>
    ) {
        self.ffmpegVersion = ffmpegVersion
        self.ffprobeVersion = ffprobeVersion
        self.encoders = encoders
        self.decoders = decoders
        self.filters = filters
        self.hwaccels = hwaccels
    }

    enum CodingKeys: String, CodingKey {
        case encoders, decoders, filters, hwaccels
        case ffmpegVersion = "ffmpeg_version"
        case ffprobeVersion = "ffprobe_version"
    }
}

/// An OpenCL device ffmpeg can initialise with `-init_hw_device opencl=NAME:P.D`.
public struct OpenCLDevice: Codable, Sendable, Equatable {
    public var platformIndex: Int
    public var deviceIndex: Int
    public var platform: String
    public var name: String

    public init(platformIndex: Int, deviceIndex: Int, platform: String, name: String) {
        self.platformIndex = platformIndex
        self.deviceIndex = deviceIndex
        self.platform = platform
        self.name = name
    }

    /// The `P.D` selector ffmpeg takes.
    public var selector: String { "\(platformIndex).\(deviceIndex)" }

    enum CodingKeys: String, CodingKey {
        case platform, name
        case platformIndex = "platform_index"
        case deviceIndex = "device_index"
    }
}

/// Hardware video engines on one GPU. Encoders and decoders are separate: A100/H100/H200 decode but cannot encode.
public struct VideoEngines: Codable, Sendable, Equatable {
    public var nvenc: Int
    public var nvdec: Int
    /// Concurrent NVENC sessions the driver allows; nil when only engine throughput bounds it (data-center cards).
    public var sessionLimit: Int?

    public init(nvenc: Int, nvdec: Int, sessionLimit: Int? = nil) {
        self.nvenc = nvenc
        self.nvdec = nvdec
        self.sessionLimit = sessionLimit
    }

    public var canEncode: Bool { nvenc > 0 }
    public var canDecode: Bool { nvdec > 0 }

    enum CodingKeys: String, CodingKey {
        case nvenc, nvdec
        case sessionLimit = "session_limit"
    }
}

/// One NVIDIA GPU as nvidia-smi reports it, plus its video engines from the model catalog.
public struct GPUDevice: Codable, Sendable, Equatable {
    public var index: Int
    public var uuid: String
    public var name: String
    public var driverVersion: String?
    public var memoryTotalMiB: Int
    public var memoryUsedMiB: Int
    public var utilizationPercent: Double?
    public var temperatureC: Double?
    public var powerDrawW: Double?
    public var powerLimitW: Double?
    public var encoderUtilizationPercent: Double?
    public var decoderUtilizationPercent: Double?
    public var engines: VideoEngines

    public init(
        index: Int, uuid: String, name: String, driverVersion: String? = nil, memoryTotalMiB: Int, memoryUsedMiB: Int,
        utilizationPercent: Double? = nil, temperatureC: Double? = nil, powerDrawW: Double? = nil,
        powerLimitW: Double? = nil, encoderUtilizationPercent: Double? = nil, decoderUtilizationPercent: Double? = nil,
        engines: VideoEngines
    ) {
        self.index = index
        self.uuid = uuid
        self.name = name
        self.driverVersion = driverVersion
        self.memoryTotalMiB = memoryTotalMiB
        self.memoryUsedMiB = memoryUsedMiB
        self.utilizationPercent = utilizationPercent
        self.temperatureC = temperatureC
        self.powerDrawW = powerDrawW
        self.powerLimitW = powerLimitW
        self.encoderUtilizationPercent = encoderUtilizationPercent
        self.decoderUtilizationPercent = decoderUtilizationPercent
        self.engines = engines
    }

    public var memoryFreeMiB: Int { max(0, memoryTotalMiB - memoryUsedMiB) }

    enum CodingKeys: String, CodingKey {
        case index, uuid, name, engines
        case driverVersion = "driver_version"
        case memoryTotalMiB = "memory_total_mib"
        case memoryUsedMiB = "memory_used_mib"
        case utilizationPercent = "utilization_percent"
        case temperatureC = "temperature_c"
        case powerDrawW = "power_draw_w"
        case powerLimitW = "power_limit_w"
        case encoderUtilizationPercent = "encoder_utilization_percent"
        case decoderUtilizationPercent = "decoder_utilization_percent"
    }
}

/// Everything a worker found on its host at start.
public struct DeviceInventory: Codable, Sendable, Equatable {
    public var host: String
    public var cpuCores: Int
    public var ffmpeg: FFmpegCapabilities
    public var opencl: [OpenCLDevice]
    public var gpus: [GPUDevice]
    /// Why the GPUs could not be found although nvidia-smi is there (it failed, hung, or printed what Spool does not
    /// understand): the command and what it printed. Nil when it worked or is absent (a machine without NVIDIA).
    public var gpuDiscoveryProblem: String?

    public init(
        host: String, cpuCores: Int, ffmpeg: FFmpegCapabilities, opencl: [OpenCLDevice], gpus: [GPUDevice],
        gpuDiscoveryProblem: String? = nil
    ) {
        self.gpuDiscoveryProblem = gpuDiscoveryProblem
        self.host = host
        self.cpuCores = cpuCores
        self.ffmpeg = ffmpeg
        self.opencl = opencl
        self.gpus = gpus
    }

    enum CodingKeys: String, CodingKey {
        case host, ffmpeg, opencl, gpus
        case cpuCores = "cpu_cores"
        case gpuDiscoveryProblem = "gpu_discovery_problem"
    }
}
