/// What one job holds on one device while it runs: GPU memory, hardware video sessions and a worker slot. The
/// scheduler reserves it before the job starts and releases it when the job ends or its worker dies.
public struct ResourceDemand: Codable, Sendable, Equatable, Hashable {
    public var gpuMemoryMiB: Int
    public var encoderSessions: Int
    public var decoderSessions: Int
    public var slots: Int

    public init(gpuMemoryMiB: Int = 0, encoderSessions: Int = 0, decoderSessions: Int = 0, slots: Int = 1) {
        self.gpuMemoryMiB = gpuMemoryMiB
        self.encoderSessions = encoderSessions
        self.decoderSessions = decoderSessions
        self.slots = slots
    }

    public static let zero = ResourceDemand(slots: 0)

    public static func + (lhs: ResourceDemand, rhs: ResourceDemand) -> ResourceDemand {
        ResourceDemand(
            gpuMemoryMiB: lhs.gpuMemoryMiB + rhs.gpuMemoryMiB,
            encoderSessions: lhs.encoderSessions + rhs.encoderSessions,
            decoderSessions: lhs.decoderSessions + rhs.decoderSessions, slots: lhs.slots + rhs.slots)
    }

    public static func - (lhs: ResourceDemand, rhs: ResourceDemand) -> ResourceDemand {
        ResourceDemand(
            gpuMemoryMiB: lhs.gpuMemoryMiB - rhs.gpuMemoryMiB,
            encoderSessions: lhs.encoderSessions - rhs.encoderSessions,
            decoderSessions: lhs.decoderSessions - rhs.decoderSessions, slots: lhs.slots - rhs.slots)
    }

    /// Whether every component of `self` is within `available`.
    public func fits(in available: ResourceDemand) -> Bool {
        gpuMemoryMiB <= available.gpuMemoryMiB && encoderSessions <= available.encoderSessions
            && decoderSessions <= available.decoderSessions && slots <= available.slots
    }

    public var usesGPU: Bool { gpuMemoryMiB > 0 || encoderSessions > 0 || decoderSessions > 0 }

    enum CodingKeys: String, CodingKey {
        case slots
        case gpuMemoryMiB = "gpu_memory_mib"
        case encoderSessions = "encoder_sessions"
        case decoderSessions = "decoder_sessions"
    }
}
