import SpoolCore

/// Reservations turned into units of capacity, and the admission check that keeps one class from eating capacity
/// held for another. A class may always use its own reservation, plus whatever free capacity is not held for other
/// classes that are below their reservation and have work waiting. Reservations of idle classes hold nothing:
/// capacity never sits empty while work waits, and preemption takes it back when the reserved class returns.
public struct CapacityShares: Sendable {
    public let configuration: DispatchConfiguration
    /// Each class's reserved share, read from its policy once: a scheduler asks for the reservations of every
    /// class for every job it places.
    private let realtimeShare: Double
    private let standardShare: Double
    private let batchShare: Double

    public init(configuration: DispatchConfiguration = .default) {
        self.configuration = configuration
        realtimeShare = configuration.policy(for: .realtime).reservedShare
        standardShare = configuration.policy(for: .standard).reservedShare
        batchShare = configuration.policy(for: .batch).reservedShare
    }

    /// `reservedShare × capacity`, rounded up so a small pool still holds a unit for a class with any share.
    public func reservedUnits(for serviceClass: ServiceClass, capacity: Int) -> Int {
        let share =
            switch serviceClass {
            case .realtime: realtimeShare
            case .standard: standardShare
            case .batch: batchShare
            }
        guard share > 0, capacity > 0 else { return 0 }
        // The epsilon keeps 0.2 × 10 at 2 instead of rounding 2.0000000000000004 up to 3.
        return min(capacity, Int((share * Double(capacity) - 1e-9).rounded(.up)))
    }

    public func isUnderReservedShare(_ serviceClass: ServiceClass, usage: CapacityUsage) -> Bool {
        usage.running(serviceClass) < reservedUnits(for: serviceClass, capacity: usage.capacity)
    }

    /// Units still held for `serviceClass`: the gap to its reservation, but no more than it has waiting.
    public func unmetReservation(of serviceClass: ServiceClass, usage: CapacityUsage) -> Int {
        let gap = reservedUnits(for: serviceClass, capacity: usage.capacity) - usage.running(serviceClass)
        return max(0, min(gap, usage.waiting(serviceClass)))
    }

    /// Whether `admission` admits, decided the same way without wording why: a scheduler asks for every job it
    /// places, and the words are read only when the job's placement is explained.
    public func admits(_ serviceClass: ServiceClass, usage: CapacityUsage) -> Bool {
        let free = usage.free
        guard free >= 1 else { return false }
        if usage.running(serviceClass) < reservedUnits(for: serviceClass, capacity: usage.capacity) { return true }
        var held = 0
        for other in ServiceClass.allCases where other != serviceClass {
            held += unmetReservation(of: other, usage: usage)
        }
        return free - held >= 1
    }

    public func admission(of serviceClass: ServiceClass, usage: CapacityUsage) -> AdmissionDecision {
        let free = usage.free
        guard free >= 1 else {
            return .holdBack(reason: "no free capacity (\(usage.totalRunning) of \(usage.capacity) in use)")
        }
        let reserved = reservedUnits(for: serviceClass, capacity: usage.capacity)
        if usage.running(serviceClass) < reserved {
            return .admit(
                reason:
                    "\(serviceClass.rawValue) runs \(usage.running(serviceClass)) of its \(reserved) reserved units")
        }
        let holders = ServiceClass.allCases.filter { $0 != serviceClass }
            .map { ($0, unmetReservation(of: $0, usage: usage)) }
            .filter { $0.1 > 0 }
        let held = holders.reduce(0) { $0 + $1.1 }
        if free - held >= 1 {
            return .admit(reason: "\(free - held) of \(free) free units are not held for other classes")
        }
        let heldFor = holders.map { "\($0.1) for \($0.0.rawValue)" }.joined(separator: ", ")
        return .holdBack(
            reason: "the \(free) free units are held for classes below their reserved share with work waiting "
                + "(\(heldFor))")
    }
}
