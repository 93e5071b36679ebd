import Foundation
import GPUMemoryLedger
import SpoolCore
import Testing

@testable import SpoolScheduling

@Suite struct FilterPluginTests {
    func context(_ request: PlacementRequest, on device: DeviceSnapshot) -> CandidateContext {
        let path = device.path(for: request.acceleration)
        return CandidateContext(
            request: request, path: path,
            demand: path.map { ResourceEstimator().demand(for: request, on: $0) }
                ?? ResourceDemand())
    }

    @Test func capabilityRefusesNVENCJobsOnDecodeOnlyGPUs() {
        let h200 = gpuDevice(model: "NVIDIA H200", memoryMiB: 143_771)
        let l4 = gpuDevice(model: "NVIDIA L4")
        let w = worker("w", h200, l4)
        let nvenc = request("j", acceleration: .nvenc)
        #expect(
            CapabilityFilter().filter(context(nvenc, on: h200), worker: w, device: h200)
                == .noEncoder(model: "NVIDIA H200"))
        #expect(CapabilityFilter().filter(context(nvenc, on: l4), worker: w, device: l4) == nil)
        // H200 decodes: a job that only needs a GPU runs there, NVDEC → CPU encode.
        #expect(h200.path(for: .gpu) == .nvdec)
        #expect(h200.path(for: .auto) == .nvdec)
        #expect(l4.path(for: .auto) == .nvenc)
        let cpuOnly = request("c", acceleration: .cpu)
        #expect(
            CapabilityFilter().filter(context(cpuOnly, on: l4), worker: w, device: l4)
                == .accelerationMismatch(wanted: "cpu", device: "gpu"))
    }

    @Test func sessionFilterCountsEveryRenditionAndTheHostCap() {
        var t4 = gpuDevice(model: "Tesla T4", memoryMiB: 15360)
        t4.encoderSessions = SessionCount(capacity: 10, inUse: 7)
        let ladder = request("j", preset: "hls-ladder")
        let w = worker("w", t4)
        let c = context(ladder, on: t4)
        #expect(c.demand.encoderSessions == 4)
        #expect(
            VideoSessionFilter().filter(c, worker: w, device: t4)
                == .encoderSessionsFull(inUse: 7, capacity: 10, needed: 4))
        t4.encoderSessions.inUse = 6
        #expect(VideoSessionFilter().filter(c, worker: w, device: t4) == nil)
        var consumer = worker("g", t4)
        consumer.hostEncoderSessions = SessionCount(capacity: 8, inUse: 5)
        #expect(
            VideoSessionFilter().filter(c, worker: consumer, device: t4)
                == .hostEncoderCapReached(inUse: 5, cap: 8, needed: 4))
    }

    @Test func memoryFilterSaysWhetherTheGPUIsFullOrFragmented() {
        let small = gpuDevice(model: "NVIDIA L4", memoryMiB: 300)
        let job = request("j", preset: "web-1080p")
        let c = context(job, on: small)
        let refusal = GPUMemoryFilter().filter(c, worker: worker("w", small), device: small)
        guard case .insufficientMemory(let needed, let free, _)? = refusal else {
            Issue.record("expected a memory refusal, got \(String(describing: refusal))")
            return
        }
        #expect(needed >= c.demand.gpuMemoryMiB && free == 300)
        #expect("\(refusal!)".contains("MiB free"))
    }

    @Test func healthPoolAndSlotFilters() {
        let fenced = gpuDevice(model: "NVIDIA L4", fenced: "encoder init failed")
        let healthy = gpuDevice(model: "NVIDIA L4")
        let job = request("j")
        #expect(
            DeviceHealthFilter().filter(context(job, on: fenced), worker: worker("w", fenced), device: fenced)
                == .deviceFenced("encoder init failed"))
        var draining = worker("w", healthy)
        draining.accepting = false
        #expect(
            DeviceHealthFilter().filter(context(job, on: healthy), worker: draining, device: healthy) == .workerDraining
        )
        let pinned = request("p", pool: "gpu-eu")
        #expect(
            PoolConstraintFilter().filter(context(pinned, on: healthy), worker: worker("w", healthy), device: healthy)
                == .otherPool(wanted: "gpu-eu", has: "cuda"))
        let full = worker("w", slots: 2, assigned: 2, healthy)
        #expect(
            WorkerSlotsFilter().filter(context(job, on: healthy), worker: full, device: healthy)
                == .workerFull(assigned: 2, slots: 2))
    }
}

@Suite struct ScorePluginTests {
    let job = request("j")
    func context(_ device: DeviceSnapshot) -> CandidateContext {
        CandidateContext(request: job, path: .nvenc, demand: ResourceEstimator().demand(for: job, on: .nvenc))
    }

    @Test func seedScoresReadTheDevice() {
        let hot = gpuDevice(model: "NVIDIA L4", utilization: 0.8, temperature: 84, power: (60, 72))
        let cool = gpuDevice(model: "NVIDIA L4", utilization: 0.1, temperature: 35, power: (20, 72))
        let w = worker("w", hot, cool)
        #expect(
            UtilizationScore().score(context(hot), worker: w, device: hot)
                < UtilizationScore().score(context(cool), worker: w, device: cool))
        #expect(ThermalScore().score(context(cool), worker: w, device: cool) > 0.9)
        #expect(ThermalScore().score(context(hot), worker: w, device: hot) == (90 - 84) / 60.0)
        #expect(
            PowerEfficiencyScore().score(context(cool), worker: w, device: cool)
                > PowerEfficiencyScore().score(context(hot), worker: w, device: hot))
        let h200 = gpuDevice(model: "NVIDIA H200", memoryMiB: 143_771)
        #expect(ComputeCapabilityScore().score(context(h200), worker: w, device: h200) == 67)
        #expect(MemoryBandwidthScore().score(context(h200), worker: w, device: h200) == 4800)
        #expect(
            QueueLengthScore().score(context(cool), worker: worker("q", slots: 4, assigned: 3, cool), device: cool)
                == 0.25)
    }

    @Test func availableMemoryBinPackAndSpreadMirrorEachOther() {
        var device = gpuDevice(model: "NVIDIA L4", memoryMiB: 10_000)
        device.reserveMemory(4096, for: LedgerOwner(rawValue: "other"))
        let w = worker("w", device)
        let c = context(device)
        let free = AvailableMemoryScore().score(c, worker: w, device: device)
        #expect(free > 0 && free < 0.6)
        let packed = BinPackScore().score(c, worker: w, device: device)
        #expect(abs(packed + SpreadScore().score(c, worker: w, device: device) - 1) < 1e-9)
        var cached = w
        cached.cachedInputs = [job.inputKey]
        #expect(InputLocalityScore().score(c, worker: cached, device: device) == 1)
        #expect(InputLocalityScore().score(c, worker: w, device: device) == 0)
    }
}
