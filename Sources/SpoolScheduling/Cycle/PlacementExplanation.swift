import Foundation
import SpoolAPIModels
import SpoolCore

extension PlacementExplanation {
    /// A job the dispatch order held back before any device was looked at (its class is over its share).
    /// A placement made on a cycle that did not explain the job in full (explanations are refreshed only every few
    /// seconds): the winner alone, so a job's latest explanation never says it waits once it has been placed.
    public static func placed(_ job: JobID, placement: JobPlacement, now: Date, profile: String) -> PlacementExplanation
    {
        let device = placement.gpu.map { "GPU \($0)" + (placement.deviceModel.map { " (\($0))" } ?? "") } ?? "CPU"
        return PlacementExplanation(
            job: job, decidedAt: now, profile: profile, outcome: .placed,
            chosen: Candidate(
                worker: placement.worker, pool: placement.pool, device: device, gpu: placement.gpu, path: nil,
                demand: placement.demand, refusedBy: nil, reason: nil, scores: [], total: placement.score),
            waitingReason: nil, devicesInScope: 0, devicesEvaluated: 0, feasible: 1, refusals: [:], candidates: [])
    }

    public static func heldBack(_ job: JobID, reason: String, now: Date, profile: String) -> PlacementExplanation {
        PlacementExplanation(
            job: job, decidedAt: now, profile: profile, outcome: .waiting, chosen: nil, waitingReason: reason,
            devicesInScope: 0, devicesEvaluated: 0, feasible: 0, refusals: [:], candidates: [])
    }
}
