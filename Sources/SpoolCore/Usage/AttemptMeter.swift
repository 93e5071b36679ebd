/// Turns what a worker saw of one attempt into its usage and cost (pure).
///
/// Sharing rule: a worker's instance is split evenly among its job slots, and an attempt pays one slot's share of
/// the hourly price for the wall seconds it ran, whatever the other slots do (idle slots are charged to no job).
/// A GPU's measured power is split among the jobs that GPU can hold at once (the worker's slots per GPU); a catalog
/// power figure is for the whole instance and is split like the price.
public struct AttemptMeter: Sendable, Equatable {
    /// The device an attempt held.
    public enum Device: Sendable, Equatable {
        case gpu(index: Int, model: String)
        case cpu

        /// How the device is named in usage records.
        public var label: String {
            switch self {
            case .gpu(let index, let model): "gpu\(index) (\(model))"
            case .cpu: "cpu"
            }
        }
    }

    public var price: CapacityPrice?
    /// The worker's job slots: the instance's shares.
    public var slots: Int
    /// GPUs of the worker; a GPU's measured power is split among `slots / gpus` jobs.
    public var gpus: Int

    public init(price: CapacityPrice?, slots: Int, gpus: Int) {
        self.price = price
        self.slots = max(slots, 1)
        self.gpus = gpus
    }

    /// The share of the whole instance one attempt pays for.
    public var instanceShare: Double { 1 / Double(slots) }

    /// - Parameters:
    ///   - wallSeconds: how long the attempt held its device.
    ///   - encoderThreads: threads the CPU path's encoders were given (ignored for a GPU).
    ///   - gpuPowerWatts: the GPU's mean reported power draw while the attempt ran; nil where it reports none.
    public func usage(wallSeconds: Double, device: Device, encoderThreads: Int, gpuPowerWatts: Double?)
        -> AttemptUsage
    {
        let seconds = max(wallSeconds, 0)
        let isGPU = device != .cpu
        let cost = price?.pricePerHour.map { $0 * seconds / 3600 * instanceShare }
        let energy: Double?
        if isGPU, let gpuPowerWatts {
            let jobsPerGPU = max(Double(slots) / Double(max(gpus, 1)), 1)
            energy = gpuPowerWatts * seconds / jobsPerGPU
        } else if let watts = price?.watts {
            energy = watts * seconds * instanceShare
        } else {
            energy = nil
        }
        return AttemptUsage(
            device: device.label, gpuSeconds: isGPU ? seconds : 0,
            cpuSeconds: isGPU ? 0 : seconds * Double(max(encoderThreads, 1)), cost: cost, energyJoules: energy)
    }
}
