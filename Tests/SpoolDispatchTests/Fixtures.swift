import Foundation
import SpoolCore
import SpoolDispatch

/// A fixed instant so every test reads the same clock.
let epoch = Date(timeIntervalSince1970: 1_750_000_000)

func at(_ seconds: TimeInterval) -> Date { epoch.addingTimeInterval(seconds) }

func tenant(_ name: String) -> TenantID { TenantID(rawValue: name) }

func waiting(
    _ id: String, tenant name: String = "default", serviceClass: ServiceClass = .standard, priority: Int = 50,
    enqueuedAt seconds: TimeInterval = 0, cost: Double = 1
) -> WaitingJob {
    WaitingJob(
        id: JobID(rawValue: id), tenant: tenant(name), serviceClass: serviceClass, priority: priority,
        enqueuedAt: at(seconds), cost: cost)
}

func mebibytes(_ gpuMemoryMiB: Int, encoders: Int = 0, slots: Int = 0) -> ResourceDemand {
    ResourceDemand(gpuMemoryMiB: gpuMemoryMiB, encoderSessions: encoders, decoderSessions: 0, slots: slots)
}

func running(
    _ id: String, _ serviceClass: ServiceClass, memory: Int, priority: Int = 50, startedAt seconds: TimeInterval = 0,
    evictions: Int = 0, lastEvictedAt: TimeInterval? = nil
) -> RunningJob {
    RunningJob(
        id: JobID(rawValue: id), serviceClass: serviceClass, priority: priority, demand: mebibytes(memory),
        startedAt: at(seconds), evictions: evictions, lastEvictedAt: lastEvictedAt.map(at))
}

/// Capacity large enough that no class is below its reservation, so only ranks and fairness decide.
let saturatedUsage = CapacityUsage(capacity: 0)

/// Tenants that always have `depth` jobs waiting: each cycle orders the backlog, dispatches the first
/// `perCycle` jobs, charges them and tops the tenant back up.
struct BackloggedTenants {
    var order: DispatchOrder<SplitMix64>
    var waitingJobs: [WaitingJob] = []
    var dispatchedCount: [String: Int] = [:]
    var dispatchedCost: [String: Double] = [:]
    var dispatchedTenants: [String] = []
    private var costs: [String: Double]
    private var serial = 0
    private var clock: TimeInterval = 0

    init(configuration: DispatchConfiguration, costs: [String: Double], depth: Int = 4, seed: UInt64 = 7) {
        order = DispatchOrder(configuration: configuration, seed: seed)
        self.costs = costs
        for name in costs.keys.sorted() {
            for _ in 0..<depth { enqueue(for: name) }
        }
    }

    private mutating func enqueue(for name: String) {
        serial += 1
        waitingJobs.append(
            waiting(
                "job-\(name)-\(serial)", tenant: name, enqueuedAt: clock, cost: costs[name] ?? 1))
    }

    mutating func dispatch(total: Int, perCycle: Int = 1) {
        var remaining = total
        while remaining > 0 {
            clock += 1
            let ordered = order.orderedJobs(waitingJobs, usage: saturatedUsage, now: at(clock))
            for job in ordered.prefix(min(perCycle, remaining)) {
                order.charge(job)
                waitingJobs.removeAll { $0.id == job.id }
                dispatchedCount[job.tenant.rawValue, default: 0] += 1
                dispatchedCost[job.tenant.rawValue, default: 0] += job.cost
                dispatchedTenants.append(job.tenant.rawValue)
                enqueue(for: job.tenant.rawValue)
                remaining -= 1
            }
        }
    }

    func countShare(of name: String) -> Double {
        Double(dispatchedCount[name] ?? 0) / Double(dispatchedCount.values.reduce(0, +))
    }

    func costShare(of name: String) -> Double {
        (dispatchedCost[name] ?? 0) / dispatchedCost.values.reduce(0, +)
    }
}
