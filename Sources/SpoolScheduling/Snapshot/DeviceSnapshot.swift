import GPUMemoryLedger
import SpoolCore

/// One device a job may be placed on, as the scheduler saw it at the start of a cycle: a GPU with its ledger and
/// session counts, or a worker's host CPU (and OpenCL) for jobs that encode there.
public struct DeviceSnapshot: Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case gpu
        case opencl
        case cpu
    }

    public var kind: Kind
    /// The GPU index on its worker; nil for the host.
    public var gpuIndex: Int?
    public var model: String
    public var engines: VideoEngines
    public var performance: GPUPerformance
    /// GPU memory bookkeeping; an empty ledger (capacity 0) for the host. Changed only through `reserveMemory`,
    /// `releaseMemory` and `activateMemory`, which keep the figures below in step.
    public private(set) var memory: GPUMemoryLedger
    /// The ledger's figures, copied out so plugins read plain integers: calling into the ledger from a plugin
    /// copies it (its arrays' references) every time.
    public private(set) var memoryFigures: MemoryFigures
    public var encoderSessions: SessionCount
    public var decoderSessions: SessionCount
    /// 0…1, from nvidia-smi; nil when not measured.
    public var utilization: Double?
    public var temperatureC: Double?
    public var powerDrawW: Double?
    public var powerLimitW: Double?
    /// nil or `.healthy` when placeable.
    public var fencedReason: String?

    public init(
        kind: Kind, gpuIndex: Int?, model: String, engines: VideoEngines = VideoEngines(nvenc: 0, nvdec: 0),
        performance: GPUPerformance, memory: GPUMemoryLedger = GPUMemoryLedger(capacityMiB: 0),
        encoderSessions: SessionCount = SessionCount(capacity: 0),
        decoderSessions: SessionCount = SessionCount(capacity: 0), utilization: Double? = nil,
        temperatureC: Double? = nil, powerDrawW: Double? = nil, powerLimitW: Double? = nil, fencedReason: String? = nil
    ) {
        self.kind = kind
        self.gpuIndex = gpuIndex
        self.model = model
        self.engines = engines
        self.performance = performance
        self.memory = memory
        self.memoryFigures = MemoryFigures(memory)
        self.encoderSessions = encoderSessions
        self.decoderSessions = decoderSessions
        self.utilization = utilization
        self.temperatureC = temperatureC
        self.powerDrawW = powerDrawW
        self.powerLimitW = powerLimitW
        self.fencedReason = fencedReason
    }

    /// How the job would run here, or nil when its acceleration rules this device out.
    public func path(for acceleration: Acceleration) -> DevicePath? {
        switch (kind, acceleration) {
        case (.gpu, _): EncodeCapability.gpuPath(engines, for: acceleration)
        case (.opencl, .auto): .opencl
        case (.opencl, _): nil
        case (.cpu, .auto), (.cpu, .cpu): .cpu
        case (.cpu, _): nil
        }
    }

    @discardableResult
    public mutating func reserveMemory(_ sizeMiB: Int, for owner: LedgerOwner, state: ReservationState = .pending)
        -> Result<MemoryReservation, LedgerRefusal>
    {
        defer { memoryFigures = MemoryFigures(memory) }
        return memory.reserve(sizeMiB, for: owner, state: state)
    }

    @discardableResult
    public mutating func releaseMemory(_ owner: LedgerOwner) -> MemoryReservation? {
        defer { memoryFigures = MemoryFigures(memory) }
        return memory.release(owner)
    }

    @discardableResult
    public mutating func activateMemory(_ owner: LedgerOwner) -> Bool { memory.activate(owner) }

    public var label: String { gpuIndex.map { "gpu\($0) \(model)" } ?? "\(kind.rawValue) \(model)" }
}

/// A GPU memory ledger's figures as plain integers.
public struct MemoryFigures: Sendable, Equatable {
    public var capacityMiB: Int
    public var virtualCapacityMiB: Int
    public var reservedMiB: Int
    public var freeMiB: Int
    public var largestFreeBlockMiB: Int
    public var maximumBlockMiB: Int

    public init(_ ledger: GPUMemoryLedger) {
        capacityMiB = ledger.capacityMiB
        virtualCapacityMiB = ledger.virtualCapacityMiB
        reservedMiB = ledger.reservedMiB
        freeMiB = ledger.freeMiB
        largestFreeBlockMiB = ledger.largestFreeBlockMiB
        maximumBlockMiB = ledger.maximumBlockMiB
    }

    /// Whether a request already rounded by the ledger's configuration fits now (`GPUMemoryLedger.canReserve`).
    public func admits(grantedMiB: Int) -> Bool { grantedMiB > 0 && grantedMiB <= largestFreeBlockMiB }
}
