import Foundation
import SpoolCore

/// Finds the cheapest set of jobs on one device whose resources, with what is already free, cover a shortfall.
///
/// Covering several resources at once is a knapsack-like problem, but a device runs few jobs, so sets are tried
/// exhaustively from the smallest size up; the first size with any cover wins and the best-scored set of that size
/// is taken. Past a budget of sets the search settles for a greedy cover, trimmed of jobs it does not need.
struct VictimSearch {
    let configuration: DispatchConfiguration
    let now: Date
    let combinationBudget: Int

    /// - Parameters:
    ///   - candidates: jobs that may be evicted; any order.
    ///   - allowance: how many jobs of each class may go; nil for no limit.
    ///   - maximumCount: sets larger than this are not wanted (a better plan elsewhere needs no more).
    func cheapestCover(
        of shortfall: ResourceDemand, candidates: [RunningJob], allowance: [ServiceClass: Int]?, maximumCount: Int
    ) -> (victims: [RunningJob], score: VictimSetScore)? {
        let ranked = candidates.sorted(by: isCheaperToEvict)
        let limit = min(ranked.count, maximumCount)
        guard limit >= 1 else { return nil }
        let bounds = LargestSums(ranked.map(\.demand))
        var spent = 0
        for size in 1...limit {
            guard shortfall.fits(in: bounds.largestSum(of: size)) else { continue }
            let sets = Self.binomial(ranked.count, size, atMost: combinationBudget + 1)
            guard spent + sets <= combinationBudget else {
                return greedyCover(of: shortfall, ranked: ranked, allowance: allowance)
            }
            spent += sets
            if let best = bestCover(of: shortfall, ranked: ranked, size: size, allowance: allowance) {
                return best
            }
        }
        return nil
    }

    private func bestCover(
        of shortfall: ResourceDemand, ranked: [RunningJob], size: Int, allowance: [ServiceClass: Int]?
    ) -> (victims: [RunningJob], score: VictimSetScore)? {
        var best: (victims: [RunningJob], score: VictimSetScore)?
        var indices = Array(0..<size)
        while true {
            let victims = indices.map { ranked[$0] }
            let freed = victims.reduce(ResourceDemand.zero) { $0 + $1.demand }
            if shortfall.fits(in: freed), withinAllowance(victims, allowance) {
                let score = score(of: victims)
                if best.map({ score < $0.score }) ?? true {
                    best = (victims, score)
                }
            }
            // Next combination in lexicographic order of indices.
            var position = size - 1
            while position >= 0, indices[position] == ranked.count - size + position {
                position -= 1
            }
            guard position >= 0 else { break }
            indices[position] += 1
            for following in (position + 1)..<size {
                indices[following] = indices[following - 1] + 1
            }
        }
        return best
    }

    private func greedyCover(
        of shortfall: ResourceDemand, ranked: [RunningJob], allowance: [ServiceClass: Int]?
    ) -> (victims: [RunningJob], score: VictimSetScore)? {
        var chosen: [RunningJob] = []
        var freed = ResourceDemand.zero
        for job in ranked where !shortfall.fits(in: freed) {
            guard withinAllowance(chosen + [job], allowance), helps(job.demand, toward: shortfall, beyond: freed)
            else { continue }
            chosen.append(job)
            freed = freed + job.demand
        }
        guard shortfall.fits(in: freed) else { return nil }
        // Cheap jobs picked early may have become unnecessary once a bigger one joined.
        for job in chosen.reversed() where shortfall.fits(in: freed - job.demand) {
            chosen.removeAll { $0.id == job.id }
            freed = freed - job.demand
        }
        return (chosen, score(of: chosen))
    }

    private func helps(_ demand: ResourceDemand, toward shortfall: ResourceDemand, beyond freed: ResourceDemand)
        -> Bool
    {
        (freed.gpuMemoryMiB < shortfall.gpuMemoryMiB && demand.gpuMemoryMiB > 0)
            || (freed.encoderSessions < shortfall.encoderSessions && demand.encoderSessions > 0)
            || (freed.decoderSessions < shortfall.decoderSessions && demand.decoderSessions > 0)
            || (freed.slots < shortfall.slots && demand.slots > 0)
    }

    private func withinAllowance(_ victims: [RunningJob], _ allowance: [ServiceClass: Int]?) -> Bool {
        guard let allowance else { return true }
        var taken: [ServiceClass: Int] = [:]
        for victim in victims {
            taken[victim.serviceClass, default: 0] += 1
            if taken[victim.serviceClass, default: 0] > allowance[victim.serviceClass, default: 0] { return false }
        }
        return true
    }

    func score(of victims: [RunningJob]) -> VictimSetScore {
        let classes = configuration.classesByRank
        var perClass = [Int](repeating: 0, count: classes.count)
        for victim in victims {
            if let index = classes.firstIndex(of: victim.serviceClass) { perClass[index] += 1 }
        }
        return VictimSetScore(
            count: victims.count, victimsPerClass: perClass,
            prioritySum: victims.reduce(0) { $0 + $1.priority },
            secondsOfWorkLost: victims.reduce(0) { $0 + max(0, now.timeIntervalSince($1.startedAt)) })
    }

    /// Lower classes first, then lower priority, then the most recently started, then by ID for a stable order.
    func isCheaperToEvict(_ lhs: RunningJob, _ rhs: RunningJob) -> Bool {
        let lhsRank = configuration.rank(of: lhs.serviceClass)
        let rhsRank = configuration.rank(of: rhs.serviceClass)
        if lhsRank != rhsRank { return lhsRank > rhsRank }
        if lhs.priority != rhs.priority { return lhs.priority < rhs.priority }
        if lhs.startedAt != rhs.startedAt { return lhs.startedAt > rhs.startedAt }
        return lhs.id < rhs.id
    }

    /// C(n, k), or `limit` when it is at least that: only whether a size fits the budget matters.
    static func binomial(_ n: Int, _ k: Int, atMost limit: Int) -> Int {
        guard k >= 0, k <= n else { return 0 }
        let k = min(k, n - k)
        var result = 1
        for step in 0..<k {
            result = result * (n - step) / (step + 1)
            if result >= limit { return limit }
        }
        return result
    }
}

/// For each resource, the most that any `size` jobs together could free: a set size below which no cover exists.
private struct LargestSums {
    private var memory: [Int] = [0]
    private var encoders: [Int] = [0]
    private var decoders: [Int] = [0]
    private var slots: [Int] = [0]

    init(_ demands: [ResourceDemand]) {
        func prefixSums(_ values: [Int]) -> [Int] {
            values.sorted(by: >).reduce(into: [0]) { $0.append($0[$0.count - 1] + $1) }
        }
        memory = prefixSums(demands.map(\.gpuMemoryMiB))
        encoders = prefixSums(demands.map(\.encoderSessions))
        decoders = prefixSums(demands.map(\.decoderSessions))
        slots = prefixSums(demands.map(\.slots))
    }

    func largestSum(of size: Int) -> ResourceDemand {
        let index = min(size, memory.count - 1)
        return ResourceDemand(
            gpuMemoryMiB: memory[index], encoderSessions: encoders[index], decoderSessions: decoders[index],
            slots: slots[index])
    }
}
