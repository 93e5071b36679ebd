import Foundation

/// Taking back the jobs of attempts that stopped: leases that ran out, workers known to be dead.
public protocol LeaseRecovery: Sendable {
    /// Requeues (or fails, when out of attempts) every running job whose lease ended before `now` or whose
    /// worker is in `deadWorkers`. Returns the transitions made.
    func recoverLeases(now: Date, deadWorkers: Set<WorkerID>) async throws -> [Transition]
}
