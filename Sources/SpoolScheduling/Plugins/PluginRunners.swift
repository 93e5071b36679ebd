/// How the cycle calls plugins. The built-in plugins are called directly, by a switch the compiler can inline; a
/// plugin from elsewhere goes through its protocol, kept in a side table so that the runner stays a trivial value.
/// Calling every plugin through `any FilterPlugin` costs more than most plugins' own work (each call copies the
/// existential), and a cycle makes about a thousand calls per job.
enum FilterRunner {
    case capability(CapabilityFilter)
    case deviceHealth(DeviceHealthFilter)
    case pool(PoolConstraintFilter)
    case workerSlots(WorkerSlotsFilter)
    case videoSessions(VideoSessionFilter)
    case gpuMemory(GPUMemoryFilter)
    /// An index into the cycle's table of other filters.
    case custom(Int)

    init(_ plugin: any FilterPlugin, custom: inout [any FilterPlugin]) {
        switch plugin {
        case let plugin as CapabilityFilter: self = .capability(plugin)
        case let plugin as DeviceHealthFilter: self = .deviceHealth(plugin)
        case let plugin as PoolConstraintFilter: self = .pool(plugin)
        case let plugin as WorkerSlotsFilter: self = .workerSlots(plugin)
        case let plugin as VideoSessionFilter: self = .videoSessions(plugin)
        case let plugin as GPUMemoryFilter: self = .gpuMemory(plugin)
        default:
            self = .custom(custom.count)
            custom.append(plugin)
        }
    }

    @inline(__always)
    func filter(
        _ context: CandidateContext, _ candidate: Candidate, custom: UnsafeBufferPointer<any FilterPlugin>
    ) -> FilterRefusal? {
        switch self {
        case .capability(let plugin): plugin.filter(context, candidate)
        case .deviceHealth(let plugin): plugin.filter(context, candidate)
        case .pool(let plugin): plugin.filter(context, candidate)
        case .workerSlots(let plugin): plugin.filter(context, candidate)
        case .videoSessions(let plugin): plugin.filter(context, candidate)
        case .gpuMemory(let plugin): plugin.filter(context, candidate)
        case .custom(let index): custom[index].filter(context, candidate)
        }
    }
}

enum ScoreRunner {
    case computeCapability(ComputeCapabilityScore)
    case memoryBandwidth(MemoryBandwidthScore)
    case availableMemory(AvailableMemoryScore)
    case utilization(UtilizationScore)
    case queueLength(QueueLengthScore)
    case thermal(ThermalScore)
    case powerEfficiency(PowerEfficiencyScore)
    case binPack(BinPackScore)
    case spread(SpreadScore)
    case inputLocality(InputLocalityScore)
    /// An index into the cycle's table of other scores.
    case custom(Int)

    init(_ plugin: any ScorePlugin, custom: inout [any ScorePlugin]) {
        switch plugin {
        case let plugin as ComputeCapabilityScore: self = .computeCapability(plugin)
        case let plugin as MemoryBandwidthScore: self = .memoryBandwidth(plugin)
        case let plugin as AvailableMemoryScore: self = .availableMemory(plugin)
        case let plugin as UtilizationScore: self = .utilization(plugin)
        case let plugin as QueueLengthScore: self = .queueLength(plugin)
        case let plugin as ThermalScore: self = .thermal(plugin)
        case let plugin as PowerEfficiencyScore: self = .powerEfficiency(plugin)
        case let plugin as BinPackScore: self = .binPack(plugin)
        case let plugin as SpreadScore: self = .spread(plugin)
        case let plugin as InputLocalityScore: self = .inputLocality(plugin)
        default:
            self = .custom(custom.count)
            custom.append(plugin)
        }
    }

    @inline(__always)
    func score(_ context: CandidateContext, _ candidate: Candidate, custom: UnsafeBufferPointer<any ScorePlugin>)
        -> Double
    {
        switch self {
        case .computeCapability(let plugin): plugin.score(context, candidate)
        case .memoryBandwidth(let plugin): plugin.score(context, candidate)
        case .availableMemory(let plugin): plugin.score(context, candidate)
        case .utilization(let plugin): plugin.score(context, candidate)
        case .queueLength(let plugin): plugin.score(context, candidate)
        case .thermal(let plugin): plugin.score(context, candidate)
        case .powerEfficiency(let plugin): plugin.score(context, candidate)
        case .binPack(let plugin): plugin.score(context, candidate)
        case .spread(let plugin): plugin.score(context, candidate)
        case .inputLocality(let plugin): plugin.score(context, candidate)
        case .custom(let index): custom[index].score(context, candidate)
        }
    }
}
