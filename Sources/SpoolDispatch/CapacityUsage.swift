import SpoolCore

/// How much of a pool each class holds and wants, in whatever unit the caller counts capacity in (job slots,
/// GPUs). One value per scheduling cycle, updated as placements are made.
public struct CapacityUsage: Sendable, Equatable {
    public var capacity: Int
    /// A scheduler reads and updates these for every job it places, so they are kept one field per class rather
    /// than in dictionaries; `running` and `waiting` show them as dictionaries of the classes that have any.
    private var runningCounts: PerServiceClass<Int>
    private var waitingCounts: PerServiceClass<Int>

    public init(capacity: Int, running: [ServiceClass: Int] = [:], waiting: [ServiceClass: Int] = [:]) {
        self.capacity = capacity
        runningCounts = PerServiceClass(counts: running)
        waitingCounts = PerServiceClass(counts: waiting)
    }

    public var running: [ServiceClass: Int] {
        get { runningCounts.dictionary }
        set { runningCounts = PerServiceClass(counts: newValue) }
    }

    /// Jobs of each class still waiting; a reservation only holds capacity for a class that has work waiting.
    public var waiting: [ServiceClass: Int] {
        get { waitingCounts.dictionary }
        set { waitingCounts = PerServiceClass(counts: newValue) }
    }

    public func running(_ serviceClass: ServiceClass) -> Int { max(0, runningCounts[serviceClass]) }
    public func waiting(_ serviceClass: ServiceClass) -> Int { max(0, waitingCounts[serviceClass]) }

    public var totalRunning: Int { running(.realtime) + running(.standard) + running(.batch) }
    public var free: Int { max(0, capacity - totalRunning) }

    /// One job of `serviceClass` moved from waiting to running.
    public mutating func recordPlacement(of serviceClass: ServiceClass, units: Int = 1) {
        runningCounts[serviceClass] = running(serviceClass) + units
        waitingCounts[serviceClass] = max(0, waiting(serviceClass) - units)
    }

    /// One running job of `serviceClass` was evicted and requeued.
    public mutating func recordEviction(of serviceClass: ServiceClass, units: Int = 1) {
        runningCounts[serviceClass] = max(0, running(serviceClass) - units)
        waitingCounts[serviceClass] = waiting(serviceClass) + units
    }
}

extension PerServiceClass where Value == Int {
    /// Counts as stored from a dictionary (a class it lacks holds 0).
    fileprivate init(counts: [ServiceClass: Int]) {
        self.init(0)
        for (serviceClass, count) in counts { self[serviceClass] = count }
    }

    /// The counts as a dictionary of the classes that have any.
    fileprivate var dictionary: [ServiceClass: Int] {
        var counts: [ServiceClass: Int] = [:]
        for serviceClass in ServiceClass.allCases where self[serviceClass] != 0 {
            counts[serviceClass] = self[serviceClass]
        }
        return counts
    }
}
