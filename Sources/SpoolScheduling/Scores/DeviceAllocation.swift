enum DeviceAllocation {
    /// Mean of the memory, encoder-session and slot fractions in use once the job is added.
    static func fractionAfter(_ context: CandidateContext, _ candidate: Candidate) -> Double {
        var sum = 0.0
        var count = 0.0
        let capacity = candidate.device.memoryFigures.virtualCapacityMiB
        if capacity > 0 {
            let reserved = candidate.device.memoryFigures.reservedMiB
            sum += Double(reserved + context.demand.gpuMemoryMiB) / Double(capacity)
            count += 1
        }
        if candidate.device.encoderSessions.capacity > 0 {
            sum +=
                Double(candidate.device.encoderSessions.inUse + context.demand.encoderSessions)
                / Double(candidate.device.encoderSessions.capacity)
            count += 1
        }
        if candidate.worker.slots > 0 {
            sum += Double(candidate.worker.assigned + context.demand.slots) / Double(candidate.worker.slots)
            count += 1
        }
        return count > 0 ? min(1, sum / count) : 0
    }
}
