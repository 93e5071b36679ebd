import SpoolCore

/// The device must be able to run the job the way it asks: an NVENC job never lands on a decode-only GPU
/// (A100, H100, H200), a CPU job never on a GPU. Always the first filter: the others need the path it settles.
public struct CapabilityFilter: FilterPlugin {
    public var name: String { "capability" }
    public init() {}

    public func filter(_ context: CandidateContext, _ candidate: Candidate) -> FilterRefusal? {
        guard context.path == nil else { return nil }
        if candidate.device.kind == .gpu, context.request.acceleration == .nvenc,
            !EncodeCapability.hasNVENC(candidate.device.engines)
        {
            return .noEncoder(model: candidate.device.model)
        }
        return .accelerationMismatch(
            wanted: context.request.acceleration.rawValue, device: candidate.device.kind.rawValue)
    }
}
