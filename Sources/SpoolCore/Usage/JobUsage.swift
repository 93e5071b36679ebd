/// What a job used and cost, summed over every attempt that reported usage (a retried job paid for each attempt).
public struct JobUsage: Codable, Sendable, Equatable {
    /// Seconds on one device, summed over the attempts that held it.
    public struct DeviceSeconds: Codable, Sendable, Equatable {
        public var device: String
        public var gpuSeconds: Double
        public var cpuSeconds: Double

        public init(device: String, gpuSeconds: Double, cpuSeconds: Double) {
            self.device = device
            self.gpuSeconds = gpuSeconds
            self.cpuSeconds = cpuSeconds
        }

        enum CodingKeys: String, CodingKey {
            case device
            case gpuSeconds = "gpu_seconds"
            case cpuSeconds = "cpu_seconds"
        }
    }

    /// Attempts counted here.
    public var attempts: Int
    public var gpuSeconds: Double
    public var cpuSeconds: Double
    /// The sum of the priced attempts; nil when no attempt had a price.
    public var cost: Double?
    /// Attempts whose price was unknown: when above 0 and `cost` is set, `cost` is a lower bound.
    public var unpricedAttempts: Int
    public var currency: String
    /// The sum over attempts whose energy was known; nil when none was.
    public var energyJoules: Double?
    public var devices: [DeviceSeconds]

    public init() {
        attempts = 0
        gpuSeconds = 0
        cpuSeconds = 0
        cost = nil
        unpricedAttempts = 0
        currency = CapacityPrice.currency
        energyJoules = nil
        devices = []
    }

    /// This usage with one more attempt's.
    public func adding(_ attempt: AttemptUsage) -> JobUsage {
        var next = self
        next.attempts += 1
        next.gpuSeconds += attempt.gpuSeconds
        next.cpuSeconds += attempt.cpuSeconds
        if let cost = attempt.cost {
            next.cost = (next.cost ?? 0) + cost
        } else {
            next.unpricedAttempts += 1
        }
        if let energy = attempt.energyJoules { next.energyJoules = (next.energyJoules ?? 0) + energy }
        if let index = next.devices.firstIndex(where: { $0.device == attempt.device }) {
            next.devices[index].gpuSeconds += attempt.gpuSeconds
            next.devices[index].cpuSeconds += attempt.cpuSeconds
        } else {
            next.devices.append(
                DeviceSeconds(device: attempt.device, gpuSeconds: attempt.gpuSeconds, cpuSeconds: attempt.cpuSeconds))
        }
        return next
    }

    /// Both usages together: a segmented job's and its tasks'.
    public func merged(with other: JobUsage) -> JobUsage {
        var next = self
        next.attempts += other.attempts
        next.gpuSeconds += other.gpuSeconds
        next.cpuSeconds += other.cpuSeconds
        next.unpricedAttempts += other.unpricedAttempts
        if let cost = other.cost { next.cost = (next.cost ?? 0) + cost }
        if let energy = other.energyJoules { next.energyJoules = (next.energyJoules ?? 0) + energy }
        for device in other.devices {
            if let index = next.devices.firstIndex(where: { $0.device == device.device }) {
                next.devices[index].gpuSeconds += device.gpuSeconds
                next.devices[index].cpuSeconds += device.cpuSeconds
            } else {
                next.devices.append(device)
            }
        }
        return next
    }

    enum CodingKeys: String, CodingKey {
        case attempts, cost, currency, devices
        case gpuSeconds = "gpu_seconds"
        case cpuSeconds = "cpu_seconds"
        case unpricedAttempts = "unpriced_attempts"
        case energyJoules = "energy_joules"
    }
}
