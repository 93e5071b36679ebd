/// The job's estimated GPU memory must fit in the device's ledger (its capacity already leaves the configured
/// headroom and what other processes use).
public struct GPUMemoryFilter: FilterPlugin {
    public var name: String { "gpu_memory" }
    public init() {}

    public func filter(_ context: CandidateContext, _ candidate: Candidate) -> FilterRefusal? {
        let needed = context.demand.gpuMemoryMiB
        guard needed > 0 else { return nil }
        let figures = candidate.device.memoryFigures
        if figures.admits(grantedMiB: context.grantedMemoryMiB) { return nil }
        return .insufficientMemory(
            neededMiB: context.grantedMemoryMiB, freeMiB: figures.freeMiB, largestBlockMiB: figures.largestFreeBlockMiB)
    }
}
