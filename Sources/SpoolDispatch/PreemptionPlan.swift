import SpoolCore

/// Evict these jobs from this device, requeue them, and place the waiting job there. Evicted attempts are not
/// failures: the caller requeues them without counting an attempt, and records the evictions in its
/// `EvictionHistory`.
public struct PreemptionPlan: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var deviceID: String
    /// In the order they were preferred: cheapest to lose first.
    public var victims: [JobID]
    /// What the victims hold together; with the device's free resources it covers the waiting job's demand.
    public var freed: ResourceDemand
    /// The victims' classes, in the same order as `victims`.
    public var victimClasses: [ServiceClass]

    public init(deviceID: String, victims: [JobID], freed: ResourceDemand, victimClasses: [ServiceClass]) {
        self.deviceID = deviceID
        self.victims = victims
        self.freed = freed
        self.victimClasses = victimClasses
    }

    public var description: String {
        let named = zip(victims, victimClasses).map { "\($0.0) (\($0.1.rawValue))" }.joined(separator: ", ")
        return "evict \(named) on \(deviceID), freeing \(freed.gpuMemoryMiB) MiB, \(freed.encoderSessions) encoder "
            + "and \(freed.decoderSessions) decoder sessions, \(freed.slots) slots"
    }
}
