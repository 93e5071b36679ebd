import Foundation
import SpoolCore
import SpoolDispatch
import SpoolScheduling

/// What the placement service carries from one cycle to the next: the cycle (its rotation and sampling state),
/// the fair-share order (deficits, turns), and when each waiting job was last explained.
struct PlacementState: Sendable {
    var cycle: SchedulingCycle
    var order: DispatchOrder<SplitMix64>
    var explained: [JobID: Date] = [:]

    init(configuration: SchedulerConfiguration) throws {
        cycle = try SchedulingCycle(
            profile: configuration.profile, estimator: ResourceEstimator(model: configuration.memoryModel))
        order = DispatchOrder(configuration: configuration.dispatch, seed: 0x5900_1ED)
    }

    func dueForExplanation(_ job: JobID, now: Date, every refresh: Duration) -> Bool {
        guard let last = explained[job] else { return true }
        return now.timeIntervalSince(last) >= refresh.seconds
    }

    /// Drops jobs that no longer wait, so the map does not grow with every job ever seen.
    mutating func forget(except waiting: Set<JobID>) {
        if explained.count > waiting.count * 2 + 1024 { explained = explained.filter { waiting.contains($0.key) } }
    }
}
