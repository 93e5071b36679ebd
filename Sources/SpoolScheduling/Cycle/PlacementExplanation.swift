import Foundation
import SpoolCore

/// Why a job went where it went, or why it waits: what `GET /v1/jobs/{id}/placement` shows.
public struct PlacementExplanation: Codable, Sendable, Equatable {
    public struct PluginScore: Codable, Sendable, Equatable {
        public var plugin: String
        public var raw: Double
        /// 0…100 after normalisation.
        public var normalized: Double
        public var weight: Double
    }

    public struct Candidate: Codable, Sendable, Equatable {
        public var worker: WorkerID
        public var pool: String
        public var device: String
        public var gpu: Int?
        /// How the job would run there; nil when the device cannot run it at all.
        public var path: DevicePath?
        public var demand: ResourceDemand?
        /// The filter that refused it, and why; nil for feasible candidates.
        public var refusedBy: String?
        public var reason: String?
        public var scores: [PluginScore]
        /// Σ weight × normalised score; nil for refused candidates.
        public var total: Double?

        enum CodingKeys: String, CodingKey {
            case worker, pool, device, gpu, path, demand, reason, scores, total
            case refusedBy = "refused_by"
        }
    }

    public enum Outcome: String, Codable, Sendable {
        case placed
        case waiting
    }

    public var job: JobID
    public var decidedAt: Date
    public var profile: String
    public var outcome: Outcome
    public var chosen: Candidate?
    /// For a waiting job: why, in words a person can act on.
    public var waitingReason: String?
    public var devicesInScope: Int
    public var devicesEvaluated: Int
    public var feasible: Int
    /// Refusals by filter code, over every evaluated device.
    public var refusals: [String: Int]
    /// The best feasible candidates first, then a sample of refused ones.
    public var candidates: [Candidate]

    enum CodingKeys: String, CodingKey {
        case job, profile, outcome, chosen, feasible, refusals, candidates
        case decidedAt = "decided_at"
        case waitingReason = "waiting_reason"
        case devicesInScope = "devices_in_scope"
        case devicesEvaluated = "devices_evaluated"
    }
}

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
