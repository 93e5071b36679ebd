/// The job's estimated GPU memory must fit in the device's ledger (its capacity already leaves the configured
/// headroom and what other processes use).
public struct GPUMemoryFilter: FilterPlugin {
    public let name = "gpu_memory"
    public init() {}

    public func filter(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> FilterRefusal? {
        let needed = context.demand.gpuMemoryMiB
        guard needed > 0 else { return nil }
        guard let ledger = device.memory else {
            return .insufficientMemory(neededMiB: needed, freeMiB: 0, largestBlockMiB: 0)
        }
        return ledger.canReserve(needed)
            ? nil
            : .insufficientMemory(
                neededMiB: ledger.grantedSize(forRequest: needed), freeMiB: ledger.freeMiB,
                largestBlockMiB: ledger.largestFreeBlockMiB)
    }
}
