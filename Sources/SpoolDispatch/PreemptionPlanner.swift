import Foundation
import SpoolCore

/// Decides whether a waiting job may evict running ones, and which. The rules keep preemption from looping:
/// - only strictly lower classes (by configured rank) are evicted, so two jobs can never evict each other;
/// - victims come from one device, the fewest and cheapest that free enough there;
/// - a job evicted `protectAfterEvictions` times is protected for `protectionSeconds` after its latest eviction;
/// - given usage, a class is never evicted below its reserved share, which admission would hand straight back.
public struct PreemptionPlanner: Sendable {
    public let configuration: DispatchConfiguration
    /// Victim sets tried per device before settling for a greedy cover; devices run few jobs, so rarely reached.
    public let combinationBudgetPerDevice: Int

    public init(configuration: DispatchConfiguration = .default, combinationBudgetPerDevice: Int = 50_000) {
        self.configuration = configuration
        self.combinationBudgetPerDevice = max(1, combinationBudgetPerDevice)
    }

    /// - Parameters:
    ///   - devices: every device the job could run on, with its running jobs annotated with their evictions.
    ///   - usage: capacity per class; when given, victims never take a class below its reserved share.
    public func plan(
        for request: PreemptionRequest, devices: [DeviceOccupancy], usage: CapacityUsage? = nil, now: Date
    ) -> PreemptionDecision {
        let settings = configuration.preemption
        guard settings.enabled else { return .refuse(.disabled) }
        let devices = Self.inIDOrder(devices)
        if let roomy = devices.first(where: { request.demand.fits(in: $0.free) }) {
            return .refuse(.fitsWithoutPreemption(deviceID: roomy.id))
        }
        let ranks = ClassRanks(configuration)
        let requestRank = ranks[request.serviceClass]
        let lowerJobs: (DeviceOccupancy) -> [RunningJob] = { device in
            device.running.filter { ranks[$0.serviceClass] > requestRank }
        }
        // Summed in place rather than through `lowerJobs`: most devices are weighed here and go no further.
        let candidates = devices.filter { device in
            var lowerTotal = ResourceDemand.zero
            for job in device.running where ranks[job.serviceClass] > requestRank {
                lowerTotal = lowerTotal + job.demand
            }
            return request.demand.fits(in: device.free + lowerTotal)
        }
        guard !candidates.isEmpty else { return .refuse(.nothingLowerToEvict(request.serviceClass)) }

        let allowance = usage.map(evictionAllowance)
        let search = VictimSearch(configuration: configuration, now: now, combinationBudget: combinationBudgetPerDevice)
        if let plan = bestPlan(
            request, on: candidates,
            lowerJobs: { lowerJobs($0).filter { !$0.isProtected(at: now, settings: settings) } },
            allowance: allowance, search: search)
        {
            return .evict(plan.plan)
        }
        if let blocked = bestPlan(request, on: candidates, lowerJobs: lowerJobs, allowance: allowance, search: search) {
            let until =
                blocked.victims.filter { $0.isProtected(at: now, settings: settings) }
                .compactMap { $0.protectedUntil(settings) }.max() ?? now
            return .refuse(.victimsProtected(afterEvictions: settings.protectAfterEvictions, until: until))
        }
        // Only reservations are left to blame: name the classes that have more jobs here than may go.
        var present: [ServiceClass: Int] = [:]
        for job in candidates.flatMap(lowerJobs) {
            present[job.serviceClass, default: 0] += 1
        }
        let limited = configuration.classesByRank.filter { serviceClass in
            guard let count = present[serviceClass] else { return false }
            return allowance?[serviceClass].map { $0 < count } ?? false
        }
        let blamed = limited.isEmpty ? configuration.classesByRank.filter { present[$0] != nil } : limited
        return .refuse(.victimsWithinReservedShare(blamed))
    }

    /// `devices` in ID order, the order plans are weighed in. The scheduler hands them over sorted, and checking
    /// that costs one comparison a device where sorting them again for every request cost a dozen.
    static func inIDOrder(_ devices: [DeviceOccupancy]) -> [DeviceOccupancy] {
        for index in devices.indices.dropFirst() where !(devices[index - 1].id < devices[index].id) {
            return devices.sorted { $0.id < $1.id }
        }
        return devices
    }

    /// How many running jobs of each class may go before the class drops below its reserved share.
    private func evictionAllowance(_ usage: CapacityUsage) -> [ServiceClass: Int] {
        let shares = CapacityShares(configuration: configuration)
        var allowance: [ServiceClass: Int] = [:]
        for serviceClass in ServiceClass.allCases {
            let reserved = shares.reservedUnits(for: serviceClass, capacity: usage.capacity)
            allowance[serviceClass] = max(0, usage.running(serviceClass) - reserved)
        }
        return allowance
    }

    private func bestPlan(
        _ request: PreemptionRequest, on devices: [DeviceOccupancy], lowerJobs: (DeviceOccupancy) -> [RunningJob],
        allowance: [ServiceClass: Int]?, search: VictimSearch
    ) -> (plan: PreemptionPlan, victims: [RunningJob])? {
        var best: (plan: PreemptionPlan, victims: [RunningJob], score: VictimSetScore)?
        for device in devices {
            let shortfall = Self.shortfall(of: request.demand, after: device.free)
            let eligible = lowerJobs(device).filter { allowance?[$0.serviceClass] ?? 1 > 0 }
            guard
                let cover = search.cheapestCover(
                    of: shortfall, candidates: eligible, allowance: allowance,
                    maximumCount: best?.score.count ?? eligible.count)
            else { continue }
            // Devices are visited in ID order, so on a tie the first device keeps the plan.
            guard best.map({ cover.score < $0.score }) ?? true else { continue }
            let plan = PreemptionPlan(
                deviceID: device.id, victims: cover.victims.map(\.id),
                freed: cover.victims.reduce(ResourceDemand.zero) { $0 + $1.demand },
                victimClasses: cover.victims.map(\.serviceClass))
            best = (plan, cover.victims, cover.score)
        }
        return best.map { ($0.plan, $0.victims) }
    }

    /// What the device lacks for `demand`, component by component.
    static func shortfall(of demand: ResourceDemand, after free: ResourceDemand) -> ResourceDemand {
        ResourceDemand(
            gpuMemoryMiB: max(0, demand.gpuMemoryMiB - free.gpuMemoryMiB),
            encoderSessions: max(0, demand.encoderSessions - free.encoderSessions),
            decoderSessions: max(0, demand.decoderSessions - free.decoderSessions),
            slots: max(0, demand.slots - free.slots))
    }
}
