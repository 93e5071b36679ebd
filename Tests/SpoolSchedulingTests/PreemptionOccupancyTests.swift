import Foundation
import SpoolCore
import SpoolDispatch
import TestThreads
import Testing

@testable import SpoolScheduling

/// The preemption planner is handed only the devices it would weigh (room now, or room once every lower-class job
/// there is gone). Its decision must be the one it makes over every device of the path.
@Suite(.cpuBound) struct PreemptionOccupancyTests {
    @Test(arguments: 0..<40)
    func weighingOnlyPromisingDevicesDecidesAsWeighingAll(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 11)
        func draw(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }
        let now = Date(timeIntervalSince1970: 1_000_000)
        let classes: [ServiceClass] = [.realtime, .standard, .batch]

        var workers: [WorkerSnapshot] = []
        var holding: [HeldJob] = []
        for w in 0..<(3 + draw(10)) {
            var devices: [DeviceSnapshot] = []
            for gpu in 0..<(1 + draw(2)) {
                var device = gpuDevice(model: "NVIDIA L4", usedMiB: draw(4) * 5_000)
                device.gpuIndex = gpu
                device.encoderSessions.inUse = draw(device.encoderSessions.capacity + 1)
                device.decoderSessions.inUse = draw(device.decoderSessions.capacity + 1)
                devices.append(device)
            }
            let id = "w\(w)"
            workers.append(
                WorkerSnapshot(
                    id: WorkerID(rawValue: id), pool: "cuda", poolKind: .cuda, slots: 8, assigned: 5 + draw(4),
                    devices: devices))
            for gpu in devices.indices {
                for j in 0..<draw(5) {
                    let demand = ResourceDemand(
                        gpuMemoryMiB: 500 + draw(8) * 500, encoderSessions: draw(2), decoderSessions: draw(2),
                        slots: 1)
                    let placement = JobPlacement(
                        worker: WorkerID(rawValue: id), pool: "cuda", gpu: gpu, deviceModel: "NVIDIA L4",
                        demand: demand, score: 0, placedAt: now.addingTimeInterval(-600))
                    holding.append(
                        HeldJob(
                            id: JobID(rawValue: "\(id)-\(gpu)-\(j)"), tenant: TenantID(rawValue: "t\(draw(3))"),
                            serviceClass: classes[draw(3)], priority: 50, placement: placement, isRunning: true,
                            startedAt: now.addingTimeInterval(-Double(draw(900))), evictions: draw(3),
                            lastEvictedAt: now.addingTimeInterval(-Double(draw(1_200)))))
                }
            }
        }
        let fleet = FleetSnapshot(workers: workers, takenAt: now)
        var occupancy = PreemptionOccupancy(holding: holding, fleet: fleet)
        let dispatch = DispatchConfiguration.default
        let planner = PreemptionPlanner(configuration: dispatch)
        let estimator = ResourceEstimator()
        let usage = CapacityUsage(
            capacity: workers.count * 8, running: PlacementPlanner.countByClass(holding, \.serviceClass),
            waiting: [.realtime: 3, .standard: 3])
        // Some steps have already evicted jobs; those leave the devices as the planner sees them. Jobs drawn from
        // all that are held may never have been handed to the planner (the occupancy then looks at every device);
        // victims the planner could name come from devices it was handed (only the devices they ran on are looked
        // at again): both must decide as a fresh occupancy does.
        let drawnFromAll = Set(holding.filter { _ in draw(6) == 0 }.map(\.id))
        var handedOut: [JobID] = []
        for serviceClass in [ServiceClass.realtime, .standard] {
            let rank = dispatch.rank(of: serviceClass)
            let devices = occupancy.devices(
                for: request("first-\(serviceClass)", preset: "web-720p", serviceClass: serviceClass),
                lowerClasses: ServiceClass.allCases.filter { dispatch.rank(of: $0) > rank }, fleet: fleet,
                evicted: [], estimator: estimator)
            handedOut += devices?.devices.flatMap { $0.running.map(\.id) } ?? []
        }
        // Every job of some devices (so that a device is left with nothing to evict), and some of others'.
        let drawnFromHandedOut = Set(handedOut.filter { _ in draw(3) == 0 })
        var weighedFewer = false
        for serviceClass in [ServiceClass.realtime, .standard] {
            for preset in ["web-720p", "web-1080p", "hls-ladder"] {
                let job = request("candidate-\(serviceClass)-\(preset)", preset: preset, serviceClass: serviceClass)
                let rank = dispatch.rank(of: serviceClass)
                let lower = ServiceClass.allCases.filter { dispatch.rank(of: $0) > rank }
                for evictedSoFar in [Set<JobID>(), drawnFromAll, drawnFromHandedOut, Set(handedOut)] {
                    let weighed = occupancy.devices(
                        for: job, lowerClasses: lower, fleet: fleet, evicted: evictedSoFar, estimator: estimator)
                    let all = occupancy.devices(
                        for: job, lowerClasses: lower, fleet: fleet, evicted: evictedSoFar, estimator: estimator,
                        weighedOnly: false)
                    #expect((weighed == nil) == (all == nil))
                    // What the occupancy kept from earlier candidates of the step decides nothing: a fresh one
                    // answers the same.
                    var fresh = PreemptionOccupancy(holding: holding, fleet: fleet)
                    let afresh = fresh.devices(
                        for: job, lowerClasses: lower, fleet: fleet, evicted: evictedSoFar, estimator: estimator)
                    #expect(afresh?.devices == weighed?.devices && afresh?.demand == weighed?.demand)
                    guard let weighed, let all else { continue }
                    #expect(weighed.demand == all.demand)
                    weighedFewer = weighedFewer || weighed.devices.count < all.devices.count
                    let request = PreemptionRequest(
                        id: job.job, serviceClass: serviceClass, priority: 50, demand: all.demand)
                    #expect(
                        planner.plan(for: request, devices: weighed.devices, usage: usage, now: now)
                            == planner.plan(for: request, devices: all.devices, usage: usage, now: now))
                }
            }
        }
        // Not a test of the filter's worth, but a guard that the comparison above compared something different.
        if seed == 0 { #expect(weighedFewer) }
    }
}
