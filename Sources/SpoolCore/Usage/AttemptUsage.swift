/// What one attempt used and cost, as its worker measured it. A job sums these over all its attempts
/// (`JobUsage`): a retried job paid for every attempt, the failed ones included.
public struct AttemptUsage: Codable, Sendable, Equatable {
    /// The device the attempt held: `gpu0 (NVIDIA L4)`, or `cpu`.
    public var device: String
    /// Wall seconds the attempt held a GPU; 0 on the CPU path.
    public var gpuSeconds: Double
    /// CPU-seconds of the CPU path (an approximation: wall seconds × the encoder threads it was given, since several
    /// attempts share the worker's process and rusage cannot tell them apart). A GPU attempt's host CPU is not
    /// counted.
    public var cpuSeconds: Double
    /// The attempt's share of the instance price for the time it ran; nil when the price is unknown.
    public var cost: Double?
    /// Joules: the GPU's reported power draw, or the catalog's figure for the instance, × seconds, × the share;
    /// nil when neither says.
    public var energyJoules: Double?

    public init(device: String, gpuSeconds: Double, cpuSeconds: Double, cost: Double?, energyJoules: Double?) {
        self.device = device
        self.gpuSeconds = gpuSeconds
        self.cpuSeconds = cpuSeconds
        self.cost = cost
        self.energyJoules = energyJoules
    }

    enum CodingKeys: String, CodingKey {
        case device, cost
        case gpuSeconds = "gpu_seconds"
        case cpuSeconds = "cpu_seconds"
        case energyJoules = "energy_joules"
    }
}
