/// The device must be able to run the job the way it asks: an NVENC job never lands on a decode-only GPU
/// (A100, H100, H200), a CPU job never on a GPU. Always the first filter: the others need the path it settles.
public struct CapabilityFilter: FilterPlugin {
    public let name = "capability"
    public init() {}

    public func filter(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> FilterRefusal? {
        guard context.path == nil else { return nil }
        if device.kind == .gpu, context.request.acceleration == .nvenc, !device.engines.canEncode {
            return .noEncoder(model: device.model)
        }
        return .accelerationMismatch(wanted: context.request.acceleration.rawValue, device: device.kind.rawValue)
    }
}
