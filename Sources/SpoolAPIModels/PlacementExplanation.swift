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

        public init(plugin: String, raw: Double, normalized: Double, weight: Double) {
            self.plugin = plugin
            self.raw = raw
            self.normalized = normalized
            self.weight = weight
        }
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

        public init(
            worker: WorkerID, pool: String, device: String, gpu: Int?, path: DevicePath?, demand: ResourceDemand?,
            refusedBy: String?, reason: String?, scores: [PluginScore], total: Double?
        ) {
            self.worker = worker
            self.pool = pool
            self.device = device
            self.gpu = gpu
            self.path = path
            self.demand = demand
            self.refusedBy = refusedBy
            self.reason = reason
            self.scores = scores
            self.total = total
        }

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

    public init(
        job: JobID, decidedAt: Date, profile: String, outcome: Outcome, chosen: Candidate?, waitingReason: String?,
        devicesInScope: Int, devicesEvaluated: Int, feasible: Int, refusals: [String: Int], candidates: [Candidate]
    ) {
        self.job = job
        self.decidedAt = decidedAt
        self.profile = profile
        self.outcome = outcome
        self.chosen = chosen
        self.waitingReason = waitingReason
        self.devicesInScope = devicesInScope
        self.devicesEvaluated = devicesEvaluated
        self.feasible = feasible
        self.refusals = refusals
        self.candidates = candidates
    }

    enum CodingKeys: String, CodingKey {
        case job, profile, outcome, chosen, feasible, refusals, candidates
        case decidedAt = "decided_at"
        case waitingReason = "waiting_reason"
        case devicesInScope = "devices_in_scope"
        case devicesEvaluated = "devices_evaluated"
    }
}
