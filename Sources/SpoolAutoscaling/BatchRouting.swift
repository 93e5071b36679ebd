import Foundation
import SpoolCore

/// Which pool a waiting batch job should grow when several could run it, across clouds: the one where running it
/// costs least, counting the compute (the pool's price per job slot over the job's run time) and moving its input
/// there (the input's size times the egress price of the cloud it is stored in, when the pool is elsewhere). Pure:
/// the pool manager gives it prices and the jobs, it names pools.
///
/// Two rules keep it honest. A pool at its maximum whose slots are all spoken for cannot take the job in time, so
/// it is not a candidate (the SLO comes before the saving). A transfer that costs more than the compute it saves
/// loses by the same sum that chooses, so the job stays where its input is.
public struct BatchRouting: Sendable, Equatable {
    /// What a pool charges, for this decision.
    public struct PoolPrice: Sendable, Equatable {
        public var provider: String?
        /// Price per job slot per hour of the capacity the pool buys (spot when the pool may use spot).
        public var pricePerSlotHour: Double
        /// Job slots the pool has at its maximum size.
        public var slotsAtMaximum: Int

        public init(provider: String?, pricePerSlotHour: Double, slotsAtMaximum: Int) {
            self.provider = provider
            self.pricePerSlotHour = pricePerSlotHour
            self.slotsAtMaximum = slotsAtMaximum
        }
    }

    /// The run time assumed for a job before any has finished (ten minutes): it prices the compute.
    public static let assumedJobSeconds: Double = 600

    /// Priced pools by name; a pool without a price is left to the default attribution.
    public var pools: [String: PoolPrice]
    /// Egress price per GB out of each provider.
    public var egressPerGB: [String: Double]
    /// Where inputs are stored: the longest matching URL prefix names the provider.
    public var inputLocations: [InputLocation]
    /// The input size assumed for the transfer, since a waiting job's input has not been measured yet.
    public var assumedInputGB: Double
    /// The run time assumed for the compute cost; it scales every candidate alike.
    public var jobSeconds: Double

    public init(
        pools: [String: PoolPrice], egressPerGB: [String: Double], inputLocations: [InputLocation],
        assumedInputGB: Double, jobSeconds: Double
    ) {
        self.pools = pools
        self.egressPerGB = egressPerGB
        self.inputLocations = inputLocations
        self.assumedInputGB = assumedInputGB
        self.jobSeconds = jobSeconds
    }

    /// The cloud an input is stored in, if a location says.
    public func provider(ofInput input: String) -> String? {
        inputLocations.filter { input.hasPrefix($0.prefix) }.max { $0.prefix.count < $1.prefix.count }?.provider
    }

    /// What running a job of this input costs in a pool: compute plus the transfer, or nil for an unpriced pool.
    public func cost(of input: String, in pool: String) -> (compute: Double, transfer: Double)? {
        guard let price = pools[pool] else { return nil }
        let compute = price.pricePerSlotHour * jobSeconds / 3_600
        var transfer = 0.0
        if let home = provider(ofInput: input), let provider = price.provider, provider != home {
            transfer = assumedInputGB * (egressPerGB[home] ?? 0)
        }
        return (compute, transfer)
    }

    /// The candidates with room where running a job of this input costs no more in all than in the cheapest pool
    /// of the input's own cloud: where moving the input does not cost more than it saves. When no pool of its cloud
    /// has room, every candidate with room (the SLO comes before the saving).
    public func worthwhilePools(for input: String, among candidates: [String], load: [String: Int]) -> [String] {
        var priced: [(pool: String, total: Double, local: Bool)] = []
        for pool in candidates.sorted() {
            guard let price = pools[pool], (load[pool] ?? 0) < price.slotsAtMaximum,
                let cost = cost(of: input, in: pool)
            else { continue }
            priced.append((pool, cost.compute + cost.transfer, cost.transfer == 0))
        }
        guard let localBest = priced.filter(\.local).map(\.total).min() else { return priced.map(\.pool) }
        return priced.filter { $0.total <= localBest }.map(\.pool)
    }

    /// The cheapest of `candidates` for a job of this input, given the jobs already attributed to each (`load`);
    /// nil when no candidate is priced and has room, so the default attribution decides. Ties go to the name.
    public func cheapest(for input: String, among candidates: [String], load: [String: Int]) -> String? {
        var best: (pool: String, total: Double)?
        for pool in candidates.sorted() {
            guard let price = pools[pool], (load[pool] ?? 0) < price.slotsAtMaximum,
                let cost = cost(of: input, in: pool)
            else { continue }
            let total = cost.compute + cost.transfer
            if best == nil || total < best!.total { best = (pool, total) }
        }
        return best?.pool
    }
}

/// Inputs whose URL starts with `prefix` are stored in `provider`.
public struct InputLocation: Sendable, Codable, Equatable {
    public var prefix: String
    public var provider: String

    public init(prefix: String, provider: String) {
        self.prefix = prefix
        self.provider = provider
    }
}
