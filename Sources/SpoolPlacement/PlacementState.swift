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
    /// Observations already folded into the estimates (workers repeat their latest ones in every registration).
    var learned: Set<JobID> = []
    /// When placements on dead workers are next looked for, if no job waits before then.
    var nextSweep = Date.distantPast

    init(configuration: SchedulerConfiguration) throws {
        cycle = try SchedulingCycle(
            profile: configuration.profile, estimator: ResourceEstimator(model: configuration.memoryModel))
        order = DispatchOrder(configuration: configuration.dispatch, seed: 0x5900_1ED)
    }

    /// Folds workers' new GPU memory observations into the per-preset estimates.
    mutating func learn(from workers: [WorkerRecord]) {
        for observation in workers.flatMap(\.gpuMemoryObservations) where !learned.contains(observation.job) {
            guard let path = DevicePath(rawValue: observation.path) else { continue }
            learned.insert(observation.job)
            cycle.estimator.learner.observe(
                estimateKey: observation.estimateKey, path: path, peakMiB: observation.peakMiB)
        }
        if learned.count > 100_000 { learned.removeAll() }
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
