import SpoolAutoscaling

/// The simulated pool: one instance type, its GPUs, bounds, and how often spot capacity is taken back.
public struct FleetSettings: Sendable, Codable, Equatable {
    public var instanceType: InstanceType
    /// The model name as nvidia-smi prints it; the catalog gives its NVENC/NVDEC engines.
    public var gpuModel: String
    public var gpuMemoryMiB: Int
    public var cpuCores: Int
    public var minWorkers: Int
    public var maxWorkers: Int
    /// Workers ready at the start; nil sizes the fleet for the workload's load in its first minutes.
    public var initialWorkers: Int?
    /// The autoscaler aims to keep this share of job slots busy (HPA's target utilisation).
    public var targetUtilisation: Double
    /// Interruptions per spot worker per hour; an interrupted worker's jobs go back to the queue.
    public var spotInterruptionsPerHour: Double
    public var sharing: GPUSharing

    public init(
        instanceType: InstanceType = Self.g6xlarge, gpuModel: String = "NVIDIA L4", gpuMemoryMiB: Int = 23_034,
        cpuCores: Int = 4, minWorkers: Int = 2, maxWorkers: Int = 250, initialWorkers: Int? = nil,
        targetUtilisation: Double = 0.85, spotInterruptionsPerHour: Double = 0.05,
        sharing: GPUSharing = .sessionAware
    ) {
        self.instanceType = instanceType
        self.gpuModel = gpuModel
        self.gpuMemoryMiB = gpuMemoryMiB
        self.cpuCores = cpuCores
        self.minWorkers = minWorkers
        self.maxWorkers = maxWorkers
        self.initialWorkers = initialWorkers
        self.targetUtilisation = targetUtilisation
        self.spotInterruptionsPerHour = spotInterruptionsPerHour
        self.sharing = sharing
    }

    /// An AWS g6.xlarge-like instance: one L4, on-demand and spot prices of us-east-1 in 2025 (rounded), three
    /// minutes from request to a worker taking jobs, eight transcodes at once.
    public static let g6xlarge = InstanceType(
        name: "g6.xlarge", pricePerHour: 0.805, spotPricePerHour: 0.32, bootSeconds: 180, gpusPerInstance: 1,
        jobSlots: 8)

    /// Jobs one worker runs at once: its slots when GPUs are shared, one per GPU when each job takes a whole GPU.
    public var slotsPerWorker: Int {
        switch sharing {
        case .sessionAware: max(instanceType.jobSlots, 1)
        case .wholeGPU: max(instanceType.gpusPerInstance, 1)
        }
    }

    public var gpusPerWorker: Int { max(instanceType.gpusPerInstance, 1) }

    /// The same fleet with one job per whole GPU; the bounds grow with the lost density so that the comparison is
    /// about throughput per GPU, not about running out of workers.
    public func withWholeGPUs() -> FleetSettings {
        var copy = self
        copy.sharing = .wholeGPU
        let factor = Double(max(instanceType.jobSlots, 1)) / Double(gpusPerWorker)
        copy.maxWorkers = Int((Double(maxWorkers) * factor).rounded(.up))
        copy.initialWorkers = initialWorkers.map { Int((Double($0) * factor).rounded(.up)) }
        return copy
    }

    /// Every field may be left out of a file (`spool simulate --clouds`); what is left out keeps its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FleetSettings()
        self.init(
            instanceType: try c.decodeIfPresent(InstanceType.self, forKey: .instanceType) ?? d.instanceType,
            gpuModel: try c.decodeIfPresent(String.self, forKey: .gpuModel) ?? d.gpuModel,
            gpuMemoryMiB: try c.decodeIfPresent(Int.self, forKey: .gpuMemoryMiB) ?? d.gpuMemoryMiB,
            cpuCores: try c.decodeIfPresent(Int.self, forKey: .cpuCores) ?? d.cpuCores,
            minWorkers: try c.decodeIfPresent(Int.self, forKey: .minWorkers) ?? d.minWorkers,
            maxWorkers: try c.decodeIfPresent(Int.self, forKey: .maxWorkers) ?? d.maxWorkers,
            initialWorkers: try c.decodeIfPresent(Int.self, forKey: .initialWorkers),
            targetUtilisation: try c.decodeIfPresent(Double.self, forKey: .targetUtilisation) ?? d.targetUtilisation,
            spotInterruptionsPerHour: try c.decodeIfPresent(Double.self, forKey: .spotInterruptionsPerHour)
                ?? d.spotInterruptionsPerHour,
            sharing: try c.decodeIfPresent(GPUSharing.self, forKey: .sharing) ?? d.sharing)
    }

    private enum CodingKeys: String, CodingKey {
        case instanceType = "instance_type"
        case gpuModel = "gpu_model"
        case gpuMemoryMiB = "gpu_memory_mib"
        case cpuCores = "cpu_cores"
        case minWorkers = "min_workers"
        case maxWorkers = "max_workers"
        case initialWorkers = "initial_workers"
        case targetUtilisation = "target_utilisation"
        case spotInterruptionsPerHour = "spot_interruptions_per_hour"
        case sharing
    }
}
