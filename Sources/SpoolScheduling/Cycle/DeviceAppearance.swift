import SpoolCore

/// Everything the built-in filters and scores can see of one device and its worker, leaving out which ones they are.
/// Two devices that look alike get the same verdict and the same raw scores from every built-in plugin, for any job,
/// so a search needs to evaluate only one of them (`DeviceClasses`).
struct DeviceAppearance: Hashable, Sendable {
    // The worker's part.
    let pool: String
    let slots: Int
    let assigned: Int
    let acceptsUnpinned: Bool
    let accepting: Bool
    let hostEncoderSessions: SessionCount?
    let cachedInputs: Set<String>
    // The device's part.
    let kind: DeviceSnapshot.Kind
    let model: String
    let engines: VideoEngines
    let performance: GPUPerformance
    let memory: MemoryFigures
    let encoderSessions: SessionCount
    let decoderSessions: SessionCount
    let utilization: Double?
    let temperatureC: Double?
    let powerDrawW: Double?
    let powerLimitW: Double?
    let fencedReason: String?

    init(_ worker: WorkerSnapshot, _ device: DeviceSnapshot) {
        pool = worker.pool
        slots = worker.slots
        assigned = worker.assigned
        acceptsUnpinned = worker.acceptsUnpinned
        accepting = worker.accepting
        hostEncoderSessions = worker.hostEncoderSessions
        cachedInputs = worker.cachedInputs
        kind = device.kind
        model = device.model
        engines = device.engines
        performance = device.performance
        memory = device.memoryFigures
        encoderSessions = device.encoderSessions
        decoderSessions = device.decoderSessions
        utilization = device.utilization
        temperatureC = device.temperatureC
        powerDrawW = device.powerDrawW
        powerLimitW = device.powerLimitW
        fencedReason = device.fencedReason
    }

    /// Hashes only what changes as jobs are placed and finish: the rest is alike across most of a fleet, and
    /// equality still compares all of it.
    func hash(into hasher: inout Hasher) {
        hasher.combine(assigned)
        hasher.combine(memory.reservedMiB)
        hasher.combine(memory.largestFreeBlockMiB)
        hasher.combine(encoderSessions.inUse)
        hasher.combine(decoderSessions.inUse)
        hasher.combine(hostEncoderSessions?.inUse)
    }

    /// Whether the device looks like this, compared in place (making its appearance to compare would copy its
    /// strings and sets for every device of the fleet on every step).
    func describes(_ worker: UnsafePointer<WorkerSnapshot>, _ device: UnsafePointer<DeviceSnapshot>) -> Bool {
        assigned == worker.pointee.assigned && memory == device.pointee.memoryFigures
            && encoderSessions == device.pointee.encoderSessions && decoderSessions == device.pointee.decoderSessions
            && hostEncoderSessions == worker.pointee.hostEncoderSessions && slots == worker.pointee.slots
            && accepting == worker.pointee.accepting && acceptsUnpinned == worker.pointee.acceptsUnpinned
            && kind == device.pointee.kind && engines == device.pointee.engines && pool == worker.pointee.pool
            && model == device.pointee.model && fencedReason == device.pointee.fencedReason
            && cachedInputs == worker.pointee.cachedInputs
            && Self.sameBits(performance.fp32TFLOPS, device.pointee.performance.fp32TFLOPS)
            && Self.sameBits(performance.memoryBandwidthGBps, device.pointee.performance.memoryBandwidthGBps)
            && Self.sameBits(performance.boardPowerW, device.pointee.performance.boardPowerW)
            && Self.sameBits(utilization, device.pointee.utilization)
            && Self.sameBits(temperatureC, device.pointee.temperatureC)
            && Self.sameBits(powerDrawW, device.pointee.powerDrawW)
            && Self.sameBits(powerLimitW, device.pointee.powerLimitW)
    }

    /// Measurements compare by their bits: two values that compare equal but differ (0 and -0) could score apart,
    /// and a NaN must still be like itself.
    static func == (a: DeviceAppearance, b: DeviceAppearance) -> Bool {
        a.assigned == b.assigned && a.memory == b.memory && a.encoderSessions == b.encoderSessions
            && a.decoderSessions == b.decoderSessions && a.hostEncoderSessions == b.hostEncoderSessions
            && a.slots == b.slots && a.accepting == b.accepting && a.acceptsUnpinned == b.acceptsUnpinned
            && a.kind == b.kind && a.engines == b.engines && a.pool == b.pool && a.model == b.model
            && a.fencedReason == b.fencedReason && a.cachedInputs == b.cachedInputs
            && sameBits(a.performance.fp32TFLOPS, b.performance.fp32TFLOPS)
            && sameBits(a.performance.memoryBandwidthGBps, b.performance.memoryBandwidthGBps)
            && sameBits(a.performance.boardPowerW, b.performance.boardPowerW)
            && sameBits(a.utilization, b.utilization) && sameBits(a.temperatureC, b.temperatureC)
            && sameBits(a.powerDrawW, b.powerDrawW) && sameBits(a.powerLimitW, b.powerLimitW)
    }

    private static func sameBits(_ a: Double?, _ b: Double?) -> Bool { a?.bitPattern == b?.bitPattern }
}
