import SpoolAutoscaling

/// A fleet spread over clouds: one pool per cloud, each with its own instance type, prices, bounds and autoscaler;
/// where the inputs are stored; and what moving an input out of its cloud costs. The simulator runs the production
/// demand attribution and batch routing (`PoolDemand`, `BatchRouting`) over it and reports cost per provider.
public struct CloudFleet: Sendable, Codable, Equatable {
    /// One pool in one cloud.
    public struct Pool: Sendable, Codable, Equatable {
        public var name: String
        public var provider: String
        public var region: String?
        /// Its instance type (with the provider's prices), bounds and spot interruption rate.
        public var fleet: FleetSettings

        public init(name: String, provider: String, region: String? = nil, fleet: FleetSettings) {
            self.name = name
            self.provider = provider
            self.region = region
            self.fleet = fleet
        }
    }

    /// A store that holds `share` of the inputs, at URLs starting with `prefix`, in `provider`'s cloud.
    public struct InputStore: Sendable, Codable, Equatable {
        public var prefix: String
        public var provider: String
        public var share: Double

        public init(prefix: String, provider: String, share: Double) {
            self.prefix = prefix
            self.provider = provider
            self.share = share
        }
    }

    public var pools: [Pool]
    public var inputs: [InputStore]
    /// Price per GB of moving data out of each provider; a provider missing here charges nothing.
    public var egressPerGB: [String: Double]
    /// The size of one input, moved once per attempt that runs outside the input's cloud.
    public var assumedInputGB: Double

    public init(pools: [Pool], inputs: [InputStore], egressPerGB: [String: Double], assumedInputGB: Double) {
        self.pools = pools
        self.inputs = inputs
        self.egressPerGB = egressPerGB
        self.assumedInputGB = assumedInputGB
    }

    /// Two clouds with one L4 pool each: AWS g6.xlarge in us-east-1 and GCP g2-standard-4 in us-central1, at list
    /// prices of 2025 (rounded; GCP's spot price and interruption rate are assumptions, GCP publishes no rate).
    /// Inputs: 55 % in S3, 25 % in GCS, 20 % in Cloudflare R2, which charges no egress, so only those can move
    /// between clouds for free. Internet egress: AWS $0.09/GB, GCP $0.12/GB. Each pool may grow to 150 workers.
    public static let awsAndGCP = CloudFleet(
        pools: [
            Pool(
                name: "aws-l4", provider: "aws", region: "us-east-1",
                fleet: FleetSettings(instanceType: .init(FleetSettings.g6xlarge, provider: "aws"), maxWorkers: 150)),
            Pool(
                name: "gcp-l4", provider: "gcp", region: "us-central1",
                fleet: FleetSettings(
                    instanceType: InstanceType(
                        name: "g2-standard-4", pricePerHour: 0.71, spotPricePerHour: 0.28, bootSeconds: 240,
                        gpusPerInstance: 1, jobSlots: 8, provider: "gcp"),
                    maxWorkers: 150, spotInterruptionsPerHour: 0.08)),
        ],
        inputs: [
            InputStore(prefix: "s3://media/", provider: "aws", share: 0.55),
            InputStore(prefix: "gs://media/", provider: "gcp", share: 0.25),
            InputStore(prefix: "r2://media/", provider: "cloudflare", share: 0.20),
        ],
        egressPerGB: ["aws": 0.09, "gcp": 0.12, "cloudflare": 0], assumedInputGB: 1)

    /// What is wrong with the fleet, or nil: at least one pool, unique names, sane bounds, input shares that add up
    /// to 1, prices of 0 or more.
    public var problem: String? {
        if pools.isEmpty { return "pools: a cloud fleet needs at least one pool" }
        if Set(pools.map(\.name)).count != pools.count { return "pools: names must be unique" }
        for pool in pools {
            if pool.fleet.maxWorkers < 1 || pool.fleet.minWorkers < 0 || pool.fleet.minWorkers > pool.fleet.maxWorkers {
                return "pools.\(pool.name): needs 0 ≤ min_workers ≤ max_workers and max_workers ≥ 1"
            }
            if pool.fleet.instanceType.jobSlots < 1 || !(pool.fleet.instanceType.pricePerHour >= 0) {
                return "pools.\(pool.name): the instance type needs job_slots ≥ 1 and a price of 0 or more"
            }
        }
        if inputs.isEmpty { return "inputs: a cloud fleet needs at least one input store" }
        let total = inputs.reduce(0) { $0 + $1.share }
        if inputs.contains(where: { !($0.share >= 0) }) || abs(total - 1) > 1e-6 {
            return "inputs: shares must be 0 or more and add up to 1 (they add up to \(total))"
        }
        if let bad = egressPerGB.sorted(by: { $0.key < $1.key }).first(where: { !($0.value >= 0 && $0.value.isFinite) })
        {
            return "egress_per_gb.\(bad.key): must be 0 or more"
        }
        if !(assumedInputGB >= 0 && assumedInputGB.isFinite) { return "assumed_input_gb: must be 0 or more" }
        return nil
    }

    /// The input stores as production's `InputLocation`s, for the routing.
    var inputLocations: [InputLocation] { inputs.map { InputLocation(prefix: $0.prefix, provider: $0.provider) } }

    private enum CodingKeys: String, CodingKey {
        case pools, inputs
        case egressPerGB = "egress_per_gb"
        case assumedInputGB = "assumed_input_gb"
    }
}

extension InstanceType {
    /// The same type sold by `provider`.
    init(_ type: InstanceType, provider: String) {
        self = type
        self.provider = provider
    }
}

/// What one provider was paid during a run.
public struct ProviderCost: Sendable, Codable, Equatable {
    public var provider: String
    /// GPU-hours bought from it (booting included), and the share of them bought as spot.
    public var gpuHours: Double
    public var spotShare: Double
    /// What that capacity cost.
    public var computeCost: Double
    /// What moving inputs out of its cloud cost (billed by the cloud the input left).
    public var egressCost: Double
    /// Attempts that started on its workers, and how many of those read an input from another cloud.
    public var attempts: Int
    public var attemptsWithRemoteInput: Int

    public var cost: Double { computeCost + egressCost }

    public init(
        provider: String, gpuHours: Double = 0, spotShare: Double = 0, computeCost: Double = 0,
        egressCost: Double = 0, attempts: Int = 0, attemptsWithRemoteInput: Int = 0
    ) {
        self.provider = provider
        self.gpuHours = gpuHours
        self.spotShare = spotShare
        self.computeCost = computeCost
        self.egressCost = egressCost
        self.attempts = attempts
        self.attemptsWithRemoteInput = attemptsWithRemoteInput
    }

    private enum CodingKeys: String, CodingKey {
        case provider, attempts
        case gpuHours = "gpu_hours"
        case spotShare = "spot_share"
        case computeCost = "compute_cost"
        case egressCost = "egress_cost"
        case attemptsWithRemoteInput = "attempts_with_remote_input"
    }
}
