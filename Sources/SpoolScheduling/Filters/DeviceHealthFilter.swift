/// Draining workers and fenced devices take nothing new.
public struct DeviceHealthFilter: FilterPlugin {
    public let name = "device_health"
    public init() {}

    public func filter(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> FilterRefusal? {
        if !worker.accepting { return .workerDraining }
        if let reason = device.fencedReason { return .deviceFenced(reason) }
        return nil
    }
}
