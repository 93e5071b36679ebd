import SpoolCore

/// A waiting job that fits on no device as things stand and asks whether evicting lower-class work would make
/// room.
public struct PreemptionRequest: Sendable, Equatable, Hashable {
    public var id: JobID
    public var serviceClass: ServiceClass
    public var priority: Int
    public var demand: ResourceDemand

    public init(id: JobID, serviceClass: ServiceClass, priority: Int = 50, demand: ResourceDemand) {
        self.id = id
        self.serviceClass = serviceClass
        self.priority = priority
        self.demand = demand
    }
}
