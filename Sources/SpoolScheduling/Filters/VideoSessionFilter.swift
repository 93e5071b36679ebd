/// Free NVENC and NVDEC sessions on the device, and under the consumer driver's host-wide cap. A job with four
/// renditions needs four encoder sessions.
public struct VideoSessionFilter: FilterPlugin {
    public let name = "video_sessions"
    public init() {}

    public func filter(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> FilterRefusal? {
        let demand = context.demand
        if !device.encoderSessions.admits(demand.encoderSessions) {
            return .encoderSessionsFull(
                inUse: device.encoderSessions.inUse, capacity: device.encoderSessions.capacity,
                needed: demand.encoderSessions)
        }
        if let host = worker.hostEncoderSessions, !host.admits(demand.encoderSessions) {
            return .hostEncoderCapReached(inUse: host.inUse, cap: host.capacity, needed: demand.encoderSessions)
        }
        if !device.decoderSessions.admits(demand.decoderSessions) {
            return .decoderSessionsFull(
                inUse: device.decoderSessions.inUse, capacity: device.decoderSessions.capacity,
                needed: demand.decoderSessions)
        }
        return nil
    }
}
