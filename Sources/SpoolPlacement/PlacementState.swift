import Foundation
import SpoolCore
import SpoolScheduling

/// What the placement service carries from one cycle to the next: the planner (fair-share order, the cycle's
/// rotation and estimates, explanation times) and what only the service needs (learned observations, the sweep).
struct PlacementState: Sendable {
    var planner: PlacementPlanner
    /// Observations already folded into the estimates (workers repeat their latest ones in every registration).
    var learned: Set<JobID> = []
    /// When placements on dead workers are next looked for, if no job waits before then.
    var nextSweep = Date.distantPast
    /// The waiting jobs, kept from the store's placement feed when it has one.
    var informer = WaitingJobsInformer()

    init(configuration: SchedulerConfiguration) throws {
        planner = try configuration.makePlanner()
    }

    /// Folds workers' new GPU memory observations into the per-preset estimates.
    mutating func learn(from workers: [WorkerRecord]) {
        for observation in workers.flatMap(\.gpuMemoryObservations) where !learned.contains(observation.job) {
            guard let path = DevicePath(rawValue: observation.path) else { continue }
            learned.insert(observation.job)
            planner.cycle.estimator.learner.observe(
                estimateKey: observation.estimateKey, path: path, peakMiB: observation.peakMiB)
        }
        if learned.count > 100_000 { learned.removeAll() }
    }
}
