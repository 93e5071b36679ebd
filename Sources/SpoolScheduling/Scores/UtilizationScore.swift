/// Prefers idle devices: 1 − measured utilisation. Without a measurement, the share of sessions in use stands in.
public struct UtilizationScore: ScorePlugin {
    public let name = "utilization"
    public let normalization = ScoreNormalization.absolute
    public init() {}

    public func score(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        if let measured = device.utilization { return 1 - min(1, max(0, measured)) }
        let sessions = device.kind == .gpu ? device.encoderSessions : SessionCount(capacity: worker.slots)
        let inUse = device.kind == .gpu ? sessions.inUse : worker.assigned
        return sessions.capacity > 0 ? 1 - min(1, Double(inUse) / Double(sessions.capacity)) : 0.5
    }
}
