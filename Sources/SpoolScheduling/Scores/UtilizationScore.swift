/// Prefers idle devices: 1 − measured utilisation. Without a measurement, the share of sessions in use stands in.
public struct UtilizationScore: ScorePlugin {
    public var name: String { "utilization" }
    public var normalization: ScoreNormalization { .absolute }
    public init() {}

    public func score(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        if let measured = candidate.device.utilization { return 1 - min(1, max(0, measured)) }
        let gpu = candidate.device.kind == .gpu
        let sessions = gpu ? candidate.device.encoderSessions : SessionCount(capacity: candidate.worker.slots)
        let inUse = gpu ? sessions.inUse : candidate.worker.assigned
        return sessions.capacity > 0 ? 1 - min(1, Double(inUse) / Double(sessions.capacity)) : 0.5
    }
}
