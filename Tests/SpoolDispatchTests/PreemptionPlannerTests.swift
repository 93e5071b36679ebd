import Foundation
import SpoolCore
import SpoolDispatch
import Testing

@Suite struct PreemptionPlannerTests {
    let planner = PreemptionPlanner()

    func request(_ serviceClass: ServiceClass = .realtime, memory: Int) -> PreemptionRequest {
        PreemptionRequest(id: JobID(rawValue: "incoming"), serviceClass: serviceClass, demand: mebibytes(memory))
    }

    func device(_ id: String, free: Int = 0, _ jobs: [RunningJob]) -> DeviceOccupancy {
        DeviceOccupancy(id: id, free: mebibytes(free), running: jobs)
    }

    @Test func evictsOneBigJobRatherThanTwoSmallOnes() throws {
        let gpu = device(
            "gpu-0",
            [
                running("small-1", .batch, memory: 2048, priority: 0),
                running("small-2", .batch, memory: 2048, priority: 0),
                running("big", .batch, memory: 4096, priority: 90),
            ])
        let plan = try #require(planner.plan(for: request(memory: 4096), devices: [gpu], now: at(100)).plan)
        #expect(plan.victims == [JobID(rawValue: "big")])
        #expect(plan.deviceID == "gpu-0")
        #expect(plan.freed == mebibytes(4096))
    }

    @Test func countsWhatIsAlreadyFree() throws {
        let gpu = device(
            "gpu-0", free: 1024,
            [running("a", .batch, memory: 2048), running("b", .batch, memory: 1024, priority: 10)])
        let plan = try #require(planner.plan(for: request(memory: 2048), devices: [gpu], now: at(100)).plan)
        #expect(plan.victims == [JobID(rawValue: "b")])
    }

    @Test func prefersLowerClassesThenLowerPriorityThenLeastWorkLost() throws {
        let classes = device(
            "gpu-0",
            [running("standard", .standard, memory: 4096, priority: 0), running("batch", .batch, memory: 4096)])
        #expect(
            planner.plan(for: request(memory: 4096), devices: [classes], now: at(100)).plan?.victims.map(\.rawValue)
                == ["batch"])

        let priorities = device(
            "gpu-0", [running("high", .batch, memory: 4096, priority: 80), running("low", .batch, memory: 4096)])
        #expect(
            planner.plan(for: request(memory: 4096), devices: [priorities], now: at(100)).plan?.victims
                .map(\.rawValue) == ["low"])

        let ages = device(
            "gpu-0",
            [
                running("old", .batch, memory: 4096, startedAt: 0),
                running("recent", .batch, memory: 4096, startedAt: 90),
            ])
        #expect(
            planner.plan(for: request(memory: 4096), devices: [ages], now: at(100)).plan?.victims.map(\.rawValue)
                == ["recent"])
    }

    @Test func picksTheDeviceNeedingFewestVictims() throws {
        let two = device("gpu-0", [running("a", .batch, memory: 2048), running("b", .batch, memory: 2048)])
        let one = device("gpu-1", [running("c", .standard, memory: 4096, priority: 100)])
        let plan = try #require(planner.plan(for: request(memory: 4096), devices: [two, one], now: at(100)).plan)
        #expect(plan.deviceID == "gpu-1")
        #expect(plan.victims == [JobID(rawValue: "c")])
        #expect(plan.victimClasses == [.standard])
    }

    @Test func neverCombinesResourcesFromTwoDevices() {
        let first = device("gpu-0", free: 2048, [running("a", .realtime, memory: 2048)])
        let second = device("gpu-1", [running("b", .batch, memory: 2048)])
        let decision = planner.plan(for: request(memory: 4096), devices: [first, second], now: at(100))
        #expect(decision.refusal == .nothingLowerToEvict(.realtime))
    }

    @Test func neverEvictsTheSameOrAHigherClass() {
        let gpu = device(
            "gpu-0", [running("peer", .standard, memory: 4096, priority: 0), running("boss", .realtime, memory: 4096)])
        let decision = planner.plan(for: request(.standard, memory: 4096), devices: [gpu], now: at(100))
        #expect(decision.refusal == .nothingLowerToEvict(.standard))
        #expect(decision.refusal?.description == "nothing lower than standard runs on a device that would fit")
        #expect(
            planner.plan(for: request(.batch, memory: 1), devices: [gpu], now: at(100)).refusal
                == .nothingLowerToEvict(.batch))
    }

    @Test func ranksComeFromConfigurationNotDeclarationOrder() throws {
        let configuration = try DispatchConfiguration(policies: [
            .batch: ServiceClassPolicy(rank: 0, reservedShare: 0, targetWait: 10, degradation: .wait),
            .realtime: ServiceClassPolicy(rank: 2, reservedShare: 0, targetWait: 10, degradation: .wait),
        ])
        let planner = PreemptionPlanner(configuration: configuration)
        let gpu = device("gpu-0", [running("rt", .realtime, memory: 4096)])
        let plan = planner.plan(for: request(.batch, memory: 4096), devices: [gpu], now: at(100)).plan
        #expect(plan?.victims == [JobID(rawValue: "rt")])
    }

    @Test func skipsProtectedJobs() throws {
        let gpu = device(
            "gpu-0",
            [
                running("twice-evicted", .batch, memory: 4096, priority: 0, evictions: 2, lastEvictedAt: 50),
                running("costly", .batch, memory: 4096, priority: 90, startedAt: 0),
            ])
        let plan = try #require(planner.plan(for: request(memory: 4096), devices: [gpu], now: at(100)).plan)
        #expect(plan.victims == [JobID(rawValue: "costly")])
    }

    @Test func refusesWhileEveryVictimIsProtectedAndSaysUntilWhen() {
        let gpu = device(
            "gpu-0",
            [
                running("a", .batch, memory: 2048, evictions: 2, lastEvictedAt: 40),
                running("b", .batch, memory: 2048, evictions: 3, lastEvictedAt: 60),
                running("c", .batch, memory: 1024, evictions: 1, lastEvictedAt: 90),
            ])
        let decision = planner.plan(for: request(memory: 4096), devices: [gpu], now: at(100))
        #expect(decision.refusal == .victimsProtected(afterEvictions: 2, until: at(660)))
        #expect(decision.refusal?.description.hasPrefix("victims protected after 2 evictions until ") == true)
    }

    @Test func protectionEnds() throws {
        let gpu = device("gpu-0", [running("a", .batch, memory: 4096, evictions: 2, lastEvictedAt: 0)])
        #expect(planner.plan(for: request(memory: 4096), devices: [gpu], now: at(599)).plan == nil)
        #expect(planner.plan(for: request(memory: 4096), devices: [gpu], now: at(600)).plan != nil)
    }

    @Test func keepsAClassAtItsReservedShare() {
        let gpu = device("gpu-0", [running("s", .standard, memory: 4096)])
        // Standard holds its 1 reserved unit of 10, so evicting it would only hand the unit back.
        let atShare = CapacityUsage(capacity: 10, running: [.standard: 1, .realtime: 9])
        let decision = planner.plan(for: request(memory: 4096), devices: [gpu], usage: atShare, now: at(100))
        #expect(decision.refusal == .victimsWithinReservedShare([.standard]))
        let overShare = CapacityUsage(capacity: 10, running: [.standard: 3, .realtime: 7])
        #expect(planner.plan(for: request(memory: 4096), devices: [gpu], usage: overShare, now: at(100)).plan != nil)
    }

    @Test func coversEveryResourceNotJustMemory() throws {
        let gpu = DeviceOccupancy(
            id: "gpu-0", free: mebibytes(8192),
            running: [
                RunningJob(
                    id: JobID(rawValue: "memory-hog"), serviceClass: .batch, demand: mebibytes(8192), startedAt: at(0)),
                RunningJob(
                    id: JobID(rawValue: "encoder"), serviceClass: .batch, demand: mebibytes(512, encoders: 1),
                    startedAt: at(0)),
            ])
        let needsEncoder = PreemptionRequest(
            id: JobID(rawValue: "incoming"), serviceClass: .realtime, demand: mebibytes(1024, encoders: 1))
        let plan = try #require(planner.plan(for: needsEncoder, devices: [gpu], now: at(100)).plan)
        #expect(plan.victims == [JobID(rawValue: "encoder")])
    }

    @Test func refusesWhenTheJobAlreadyFitsOrPreemptionIsOff() throws {
        let gpu = device("gpu-0", free: 8192, [running("a", .batch, memory: 4096)])
        #expect(
            planner.plan(for: request(memory: 4096), devices: [gpu], now: at(100)).refusal
                == .fitsWithoutPreemption(deviceID: "gpu-0"))
        let off = PreemptionPlanner(
            configuration: try DispatchConfiguration(preemption: PreemptionSettings(enabled: false)))
        let full = device("gpu-0", [running("a", .batch, memory: 4096)])
        #expect(off.plan(for: request(memory: 4096), devices: [full], now: at(100)).refusal == .disabled)
    }

    @Test func aSmallBudgetStillFindsACoverWithNoSpareVictim() throws {
        let jobs = (0..<30).map { running("j\($0)", .batch, memory: 256 * ($0 % 5 + 1), priority: $0) }
        let gpu = device("gpu-0", jobs)
        let planner = PreemptionPlanner(combinationBudgetPerDevice: 10)
        let plan = try #require(planner.plan(for: request(memory: 3000), devices: [gpu], now: at(100)).plan)
        let byID = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0) })
        let freed = plan.victims.reduce(0) { $0 + byID[$1]!.demand.gpuMemoryMiB }
        #expect(freed >= 3000)
        // Greedy, then trimmed: no victim can be spared.
        for victim in plan.victims {
            #expect(freed - byID[victim]!.demand.gpuMemoryMiB < 3000)
        }
    }
}
