import SpoolCore

/// How much of a pool each class holds and wants, in whatever unit the caller counts capacity in (job slots,
/// GPUs). One value per scheduling cycle, updated as placements are made.
public struct CapacityUsage: Sendable, Equatable {
    public var capacity: Int
    public var running: [ServiceClass: Int]
    /// Jobs of each class still waiting; a reservation only holds capacity for a class that has work waiting.
    public var waiting: [ServiceClass: Int]

    public init(capacity: Int, running: [ServiceClass: Int] = [:], waiting: [ServiceClass: Int] = [:]) {
        self.capacity = capacity
        self.running = running
        self.waiting = waiting
    }

    public func running(_ serviceClass: ServiceClass) -> Int { max(0, running[serviceClass] ?? 0) }
    public func waiting(_ serviceClass: ServiceClass) -> Int { max(0, waiting[serviceClass] ?? 0) }

    public var totalRunning: Int { ServiceClass.allCases.reduce(0) { $0 + running($1) } }
    public var free: Int { max(0, capacity - totalRunning) }

    /// One job of `serviceClass` moved from waiting to running.
    public mutating func recordPlacement(of serviceClass: ServiceClass, units: Int = 1) {
        running[serviceClass] = running(serviceClass) + units
        waiting[serviceClass] = max(0, waiting(serviceClass) - units)
    }

    /// One running job of `serviceClass` was evicted and requeued.
    public mutating func recordEviction(of serviceClass: ServiceClass, units: Int = 1) {
        running[serviceClass] = max(0, running(serviceClass) - units)
        waiting[serviceClass] = waiting(serviceClass) + units
    }
}
