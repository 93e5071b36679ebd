/// Draining workers and fenced devices take nothing new.
public struct DeviceHealthFilter: FilterPlugin {
    public var name: String { "device_health" }
    public init() {}

    public func filter(_ context: CandidateContext, _ candidate: Candidate) -> FilterRefusal? {
        if !candidate.worker.accepting { return .workerDraining }
        if let reason = candidate.device.fencedReason { return .deviceFenced(reason) }
        return nil
    }
}
