import Foundation
import SpoolCore

/// The order in which a scheduling cycle should try to place waiting jobs, kept across cycles so turns, credit
/// and lottery draws carry on where the last cycle left them.
///
/// Classes go by rank, except that a class still below its reserved share first gets as many jobs as it needs to
/// reach it. Within a class the fairness algorithm picks the tenant for each next job; within a tenant the job
/// with the highest aged priority goes first, then the oldest.
///
/// Ordering does not assume the jobs it returns will all be placed. Call `charge` for each job actually placed,
/// in placement order: that, and only that, advances round-robin turns and deficit-round-robin credit.
public struct DispatchOrder<Random: RandomNumberGenerator> {
    public let configuration: DispatchConfiguration
    /// Only lottery draws read it; each ordering consumes fresh draws so successive cycles do not repeat.
    public private(set) var random: Random
    private var rotations: [ServiceClass: TenantRotation] = [:]
    /// The rotation's constants, made once: made per charge, they cost two closures' allocations per placed job.
    private let rotationRules: RotationRules?

    public init(configuration: DispatchConfiguration = .default, random: Random) {
        self.configuration = configuration
        self.random = random
        switch configuration.fairness {
        case .roundRobin: rotationRules = .roundRobin
        case .weightedFair: rotationRules = .weightedFair(configuration)
        case .lottery: rotationRules = nil
        }
    }

    /// The IDs of `waiting` in the order to try them. O(n log n) in the number of jobs.
    public mutating func order(_ waiting: [WaitingJob], usage: CapacityUsage, now: Date) -> [JobID] {
        orderedJobs(waiting, usage: usage, now: now).map(\.id)
    }

    /// The job to try first, or nil when nothing waits. As costly as a whole ordering: prefer `order` once per
    /// cycle.
    public mutating func next(_ waiting: [WaitingJob], usage: CapacityUsage, now: Date) -> WaitingJob? {
        orderedJobs(waiting, usage: usage, now: now).first
    }

    public mutating func orderedJobs(_ waiting: [WaitingJob], usage: CapacityUsage, now: Date) -> [WaitingJob] {
        var byClass: [ServiceClass: [WaitingJob]] = [:]
        for job in waiting {
            byClass[job.serviceClass, default: []].append(job)
        }
        for serviceClass in ServiceClass.allCases where byClass[serviceClass] == nil {
            rotations[serviceClass]?.observe(backlog: [:])
        }
        var sequences: [ServiceClass: ArraySlice<WaitingJob>] = [:]
        // A fixed class order, not the dictionary's: lottery draws must come out the same for the same seed.
        for serviceClass in configuration.classesByRank {
            guard let jobs = byClass[serviceClass] else { continue }
            sequences[serviceClass] = ArraySlice(interleave(jobs, of: serviceClass, now: now))
        }

        let shares = CapacityShares(configuration: configuration)
        var order: [WaitingJob] = []
        order.reserveCapacity(waiting.count)
        // Classes below their reserved share go first, but only for the jobs that bring them up to it.
        for serviceClass in configuration.classesByRank {
            guard var sequence = sequences[serviceClass] else { continue }
            let gap = shares.reservedUnits(for: serviceClass, capacity: usage.capacity) - usage.running(serviceClass)
            let reservedTurns = min(max(0, gap), sequence.count)
            order.append(contentsOf: sequence.prefix(reservedTurns))
            sequence = sequence.dropFirst(reservedTurns)
            sequences[serviceClass] = sequence
        }
        for serviceClass in configuration.classesByRank {
            order.append(contentsOf: sequences[serviceClass] ?? [])
        }
        return order
    }

    /// Advances fair sharing for a job the scheduler placed. Lottery keeps no per-tenant state, so it has nothing
    /// to charge.
    public mutating func charge(_ job: WaitingJob) {
        guard let rules = rotationRules else { return }
        rotations[job.serviceClass, default: TenantRotation()].charge(job, rules: rules)
    }

    private mutating func interleave(_ jobs: [WaitingJob], of serviceClass: ServiceClass, now: Date) -> [WaitingJob] {
        let aging = configuration.aging
        var queues: [TenantID: [(job: WaitingJob, effectivePriority: Double)]] = [:]
        for job in jobs {
            let effective = aging.effectivePriority(
                priority: job.priority, waited: now.timeIntervalSince(job.enqueuedAt))
            queues[job.tenant, default: []].append((job, effective))
        }
        let sortedQueues = queues.mapValues { entries in
            entries.sorted { lhs, rhs in
                if lhs.effectivePriority != rhs.effectivePriority {
                    return lhs.effectivePriority > rhs.effectivePriority
                }
                if lhs.job.enqueuedAt != rhs.job.enqueuedAt { return lhs.job.enqueuedAt < rhs.job.enqueuedAt }
                return lhs.job.id < rhs.job.id
            }
            .map(\.job)
        }

        guard let rules = rotationRules else {
            return LotteryDraw.interleave(sortedQueues, weight: configuration.weight(of:), using: &random)
        }
        var rotation = rotations[serviceClass] ?? TenantRotation()
        rotation.observe(backlog: sortedQueues.compactMapValues { $0.first.map(rules.cost) }, rules: rules)
        rotations[serviceClass] = rotation
        return rotation.interleave(sortedQueues, rules: rules)
    }
}

extension DispatchOrder: Sendable where Random: Sendable {}

extension DispatchOrder where Random == SplitMix64 {
    /// An ordering whose lottery draws replay exactly for `seed`.
    public init(configuration: DispatchConfiguration = .default, seed: UInt64 = 0) {
        self.init(configuration: configuration, random: SplitMix64(seed: seed))
    }
}
