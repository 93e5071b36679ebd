import SpoolCore

/// One device's free resources and the jobs holding the rest. Victims are chosen on one device only: resources
/// freed on two devices cannot be combined for one job.
public struct DeviceOccupancy: Sendable, Equatable, Hashable {
    public var id: String
    public var free: ResourceDemand
    public var running: [RunningJob]

    public init(id: String, free: ResourceDemand, running: [RunningJob]) {
        self.id = id
        self.free = free
        self.running = running
    }
}
