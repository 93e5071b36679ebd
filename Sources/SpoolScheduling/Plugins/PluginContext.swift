import GPUMemoryLedger
import SpoolCore

/// What a plugin looks at for one candidate: the job, how it would run on the device, and what it would hold.
/// A class, built once per job and path, so handing it to every plugin of every candidate copies nothing.
public final class CandidateContext: Sendable {
    public let request: PlacementRequest
    /// nil when the job's acceleration rules the device out (the capability filter says why).
    public let path: DevicePath?
    public let demand: ResourceDemand
    /// The GPU memory a ledger would grant for `demand` (after size-class or buddy rounding).
    public let grantedMemoryMiB: Int

    public init(
        request: PlacementRequest, path: DevicePath?, demand: ResourceDemand,
        ledger: LedgerConfiguration = .default
    ) {
        self.request = request
        self.path = path
        self.demand = demand
        self.grantedMemoryMiB = ledger.grantedSize(forRequest: demand.gpuMemoryMiB)
    }
}
