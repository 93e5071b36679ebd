/// Every plugin by name, so profiles in configuration can name them.
public enum PluginRegistry {
    public static let filters: [String: any FilterPlugin] = [
        "capability": CapabilityFilter(), "device_health": DeviceHealthFilter(), "pool": PoolConstraintFilter(),
        "worker_slots": WorkerSlotsFilter(), "video_sessions": VideoSessionFilter(), "gpu_memory": GPUMemoryFilter(),
    ]

    public static let scores: [String: any ScorePlugin] = [
        "compute_capability": ComputeCapabilityScore(), "memory_bandwidth": MemoryBandwidthScore(),
        "available_memory": AvailableMemoryScore(), "utilization": UtilizationScore(),
        "queue_length": QueueLengthScore(), "thermal": ThermalScore(), "power_efficiency": PowerEfficiencyScore(),
        "bin_pack": BinPackScore(), "spread": SpreadScore(), "input_locality": InputLocalityScore(),
    ]
}

public enum SchedulerConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownFilter(String)
    case unknownScore(String)
    case invalidWeight(String, Double)
    case unknownProfile(String)

    public var description: String {
        switch self {
        case .unknownFilter(let name):
            "unknown filter plugin '\(name)'; known: \(PluginRegistry.filters.keys.sorted().joined(separator: ", "))"
        case .unknownScore(let name):
            "unknown score plugin '\(name)'; known: \(PluginRegistry.scores.keys.sorted().joined(separator: ", "))"
        case .invalidWeight(let name, let weight):
            "weight of '\(name)' must be a finite number ≥ 0, got \(weight)"
        case .unknownProfile(let name):
            "unknown profile '\(name)'; built in: \(SchedulingProfile.builtIn.map(\.name).joined(separator: ", "))"
        }
    }
}
