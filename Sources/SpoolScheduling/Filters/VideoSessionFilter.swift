/// Free NVENC and NVDEC sessions on the device, and under the consumer driver's host-wide cap. A job with four
/// renditions needs four encoder sessions.
public struct VideoSessionFilter: FilterPlugin {
    public var name: String { "video_sessions" }
    public init() {}

    public func filter(_ context: CandidateContext, _ candidate: Candidate) -> FilterRefusal? {
        let demand = context.demand
        if !candidate.device.encoderSessions.admits(demand.encoderSessions) {
            return .encoderSessionsFull(
                inUse: candidate.device.encoderSessions.inUse, capacity: candidate.device.encoderSessions.capacity,
                needed: demand.encoderSessions)
        }
        if let host = candidate.worker.hostEncoderSessions, !host.admits(demand.encoderSessions) {
            return .hostEncoderCapReached(inUse: host.inUse, cap: host.capacity, needed: demand.encoderSessions)
        }
        if !candidate.device.decoderSessions.admits(demand.decoderSessions) {
            return .decoderSessionsFull(
                inUse: candidate.device.decoderSessions.inUse, capacity: candidate.device.decoderSessions.capacity,
                needed: demand.decoderSessions)
        }
        return nil
    }
}
