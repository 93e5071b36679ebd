/// Which plugins a cycle runs and how it weighs them. Profiles come from configuration; `seed` is the default.
public struct SchedulingProfile: Codable, Sendable, Equatable {
    public var name: String
    /// Filter plugins in order. `capability` always runs first, whether listed or not.
    public var filters: [String]
    /// Score plugin name → weight. Plugins not named do not run.
    public var weights: [String: Double]
    public var sampling: CandidateSampling

    public init(
        name: String, filters: [String] = Self.allFilters, weights: [String: Double], sampling: CandidateSampling
    ) {
        self.name = name
        self.filters = filters
        self.weights = weights
        self.sampling = sampling
    }

    enum CodingKeys: String, CodingKey {
        case name, filters, weights, sampling
    }

    /// Only the name is required: filters default to all of them, weights to none, sampling to 100 feasible.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        filters = try c.decodeIfPresent([String].self, forKey: .filters) ?? Self.allFilters
        weights = try c.decodeIfPresent([String: Double].self, forKey: .weights) ?? [:]
        sampling = try c.decodeIfPresent(CandidateSampling.self, forKey: .sampling) ?? .feasible(limit: 100)
    }

    public static let allFilters = ["device_health", "pool", "worker_slots", "video_sessions", "gpu_memory"]

    /// The design's weights: compute 0.3, memory bandwidth 0.2, available memory 0.15, utilisation 0.15, queue
    /// length 0.1, thermal 0.05, power efficiency 0.05.
    public static let seedWeights: [String: Double] = [
        "compute_capability": 0.3, "memory_bandwidth": 0.2, "available_memory": 0.15, "utilization": 0.15,
        "queue_length": 0.1, "thermal": 0.05, "power_efficiency": 0.05,
    ]

    public static let seed = SchedulingProfile(name: "seed", weights: seedWeights, sampling: .feasible(limit: 100))
    /// Densest packing over the whole fleet: the device left fullest wins.
    public static let bestFit = SchedulingProfile(name: "best_fit", weights: ["bin_pack": 1], sampling: .all)
    public static let firstFit = SchedulingProfile(name: "first_fit", weights: [:], sampling: .firstFeasible)
    public static let powerOfTwo = SchedulingProfile(
        name: "power_of_two", weights: seedWeights, sampling: .powerOfTwoChoices)
    public static let spread = SchedulingProfile(name: "spread", weights: ["spread": 1], sampling: .all)
    /// The seed weights plus input locality, for fleets with worker-local input caches.
    public static let seedWithLocality = SchedulingProfile(
        name: "seed_locality", weights: seedWeights.merging(["input_locality": 0.2]) { $1 },
        sampling: .feasible(limit: 100))

    public static let builtIn: [SchedulingProfile] = [seed, bestFit, firstFit, powerOfTwo, spread, seedWithLocality]

    public static func named(_ name: String) -> SchedulingProfile? { builtIn.first { $0.name == name } }
}
