import Foundation

/// Where the scheduler put a queued job and what it reserved there. Only the named worker may claim the job; the
/// reservation holds until the job finishes, is requeued, or its worker dies.
public struct JobPlacement: Codable, Sendable, Equatable, Hashable {
    public var worker: WorkerID
    public var pool: String
    /// The GPU index on that worker; nil for a CPU placement.
    public var gpu: Int?
    public var deviceModel: String?
    public var demand: ResourceDemand
    /// How the job runs there: the worker runs exactly this path, or refuses the job.
    public var path: PlacementPath
    /// The winning weighted score (0…100 per unit of weight).
    public var score: Double
    public var placedAt: Date
    /// The scheduler's leadership token when it placed the job; a newer leader's placement wins.
    public var schedulerToken: Int

    public init(
        worker: WorkerID, pool: String, gpu: Int?, deviceModel: String?, demand: ResourceDemand, score: Double,
        placedAt: Date, schedulerToken: Int = 0, path: PlacementPath? = nil
    ) {
        self.worker = worker
        self.pool = pool
        self.gpu = gpu
        self.deviceModel = deviceModel
        self.demand = demand
        self.path = path ?? .inferred(gpu: gpu, demand: demand)
        self.score = score
        self.placedAt = placedAt
        self.schedulerToken = schedulerToken
    }

    enum CodingKeys: String, CodingKey {
        case worker, pool, gpu, demand, score, path
        case deviceModel = "device_model"
        case placedAt = "placed_at"
        case schedulerToken = "scheduler_token"
    }

    /// Placements stored before they carried a path decode with the one their GPU and encoder sessions imply.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        worker = try container.decode(WorkerID.self, forKey: .worker)
        pool = try container.decode(String.self, forKey: .pool)
        gpu = try container.decodeIfPresent(Int.self, forKey: .gpu)
        deviceModel = try container.decodeIfPresent(String.self, forKey: .deviceModel)
        demand = try container.decode(ResourceDemand.self, forKey: .demand)
        score = try container.decode(Double.self, forKey: .score)
        placedAt = try container.decode(Date.self, forKey: .placedAt)
        schedulerToken = try container.decodeIfPresent(Int.self, forKey: .schedulerToken) ?? 0
        path = try container.decodeIfPresent(PlacementPath.self, forKey: .path) ?? .inferred(gpu: gpu, demand: demand)
    }
}
