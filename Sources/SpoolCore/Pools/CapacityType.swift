/// Which kind of machine a worker runs on: interruptible spot capacity or on-demand. The raw values are Karpenter's
/// `karpenter.sh/capacity-type` node label values, so one string names the part of a pool, its Deployment suffix,
/// its node selector, a worker's `--capacity-type` and the `capacity_type` metric label.
public enum CapacityType: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case spot
    case onDemand = "on-demand"

    /// Whether the cost judgement chose spot; what a pool with a spot part scales next.
    public init(spot: Bool) {
        self = spot ? .spot : .onDemand
    }

    public var description: String { rawValue }
}

extension PoolSpec {
    /// The parts an actuator sizes separately: spot and on-demand for a pool that may run spot, each its own
    /// Deployment, label and gauge series; one undivided part (nil) otherwise, exactly as before capacity types.
    public var capacityParts: [CapacityType?] { spot ? [.spot, .onDemand] : [nil] }
}
