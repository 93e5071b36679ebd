enum DeviceAllocation {
    /// Mean of the memory, encoder-session and slot fractions in use once the job is added.
    static func fractionAfter(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> Double {
        var sum = 0.0
        var count = 0.0
        if let ledger = device.memory, ledger.virtualCapacityMiB > 0 {
            sum += Double(ledger.reservedMiB + context.demand.gpuMemoryMiB) / Double(ledger.virtualCapacityMiB)
            count += 1
        }
        if device.encoderSessions.capacity > 0 {
            sum +=
                Double(device.encoderSessions.inUse + context.demand.encoderSessions)
                / Double(device.encoderSessions.capacity)
            count += 1
        }
        if worker.slots > 0 {
            sum += Double(worker.assigned + context.demand.slots) / Double(worker.slots)
            count += 1
        }
        return count > 0 ? min(1, sum / count) : 0
    }
}
