/// Bin-packing (most allocated): prefers the device that will be fullest after this job, by GPU memory and
/// encoder sessions, so whole GPUs stay free for large jobs.
public struct BinPackScore: ScorePlugin {
    public let name = "bin_pack"
    public let normalization = ScoreNormalization.absolute
    public init() {}

    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        DeviceAllocation.fractionAfter(context, worker: worker, device: device)
    }
}
