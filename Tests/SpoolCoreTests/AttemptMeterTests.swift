import Foundation
import Testing

@testable import SpoolCore

/// What an attempt costs: its slot's share of the instance price, energy from the GPU or the catalog, and unknown
/// stays unknown.
@Suite struct AttemptMeterTests {
    let l4 = AttemptMeter.Device.gpu(index: 0, model: "NVIDIA L4")

    @Test func anAttemptPaysItsSlotsShareOfTheInstance() {
        // g6.xlarge: $0.80 an hour, 1 GPU, 2 slots: an hour on it costs each of the two jobs $0.40.
        let meter = AttemptMeter(price: CapacityPrice(instanceType: "g6.xlarge", pricePerHour: 0.8), slots: 2, gpus: 1)
        let usage = meter.usage(wallSeconds: 3600, device: l4, encoderThreads: 1, gpuPowerWatts: nil)
        #expect(usage.cost == 0.4)
        #expect(usage.gpuSeconds == 3600 && usage.cpuSeconds == 0 && usage.device == "gpu0 (NVIDIA L4)")
    }

    @Test func aCPUAttemptCountsWallSecondsTimesItsThreads() {
        let meter = AttemptMeter(price: CapacityPrice(pricePerHour: 0.36), slots: 4, gpus: 0)
        let usage = meter.usage(wallSeconds: 100, device: .cpu, encoderThreads: 2, gpuPowerWatts: nil)
        #expect(usage.cpuSeconds == 200 && usage.gpuSeconds == 0 && usage.device == "cpu")
        #expect(abs((usage.cost ?? 0) - 0.0025) < 1e-12)
    }

    @Test func anUnknownPriceIsNilNeverZero() {
        let unpriced = AttemptMeter(price: CapacityPrice(instanceType: "mystery"), slots: 1, gpus: 0)
        #expect(unpriced.usage(wallSeconds: 60, device: .cpu, encoderThreads: 1, gpuPowerWatts: nil).cost == nil)
        let untold = AttemptMeter(price: nil, slots: 1, gpus: 0)
        let usage = untold.usage(wallSeconds: 60, device: .cpu, encoderThreads: 1, gpuPowerWatts: nil)
        #expect(usage.cost == nil && usage.energyJoules == nil)
    }

    @Test func energyComesFromTheGPUsPowerSharedByTheJobsItHolds() {
        // Two GPUs, four slots: two jobs per GPU share its 70 W.
        let meter = AttemptMeter(price: CapacityPrice(pricePerHour: 1, watts: 500), slots: 4, gpus: 2)
        let measured = meter.usage(wallSeconds: 10, device: l4, encoderThreads: 1, gpuPowerWatts: 70)
        #expect(measured.energyJoules == 350)
        // Without a reading, the catalog's figure for the whole instance, split like the price.
        let catalog = meter.usage(wallSeconds: 10, device: l4, encoderThreads: 1, gpuPowerWatts: nil)
        #expect(catalog.energyJoules == 1250)
        let cpu = meter.usage(wallSeconds: 10, device: .cpu, encoderThreads: 1, gpuPowerWatts: 70)
        #expect(cpu.energyJoules == 1250)
    }

    @Test func aRetriedJobPaysForEveryAttempt() throws {
        let lifecycle = JobLifecycle(
            retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .seconds(2), maxDelay: .seconds(60)))
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let worker = WorkerID(rawValue: "wrk_cpu_a")
        var job = Job(
            id: JobID(rawValue: "job_1"),
            spec: JobSpec(input: .file(path: "/in/a.mp4"), outputs: Presets.named("web-360p")!.outputs), now: t0)
        let claim = JobEvent.claim(worker: worker, pool: "cpu", leaseDuration: .seconds(30))
        let first = AttemptUsage(device: "cpu", gpuSeconds: 0, cpuSeconds: 10, cost: 0.1, energyJoules: nil)
        let second = AttemptUsage(device: "cpu", gpuSeconds: 0, cpuSeconds: 30, cost: 0.2, energyJoules: 5)
        job = try lifecycle.apply(claim, to: job, now: t0).job
        job = try lifecycle.apply(
            .fail(job.currentLease!, JobError(code: .transcodeFailed, message: "exit 1"), usage: first), to: job,
            now: t0
        ).job
        job = try lifecycle.apply(claim, to: job, now: t0.addingTimeInterval(10)).job
        job = try lifecycle.apply(.succeed(job.currentLease!, outputs: [], usage: second), to: job, now: t0).job
        let usage = try #require(job.usage)
        #expect(usage.attempts == 2 && usage.cpuSeconds == 40 && usage.energyJoules == 5)
        #expect(abs((usage.cost ?? 0) - 0.3) < 1e-12 && usage.unpricedAttempts == 0)
        #expect(usage.devices == [JobUsage.DeviceSeconds(device: "cpu", gpuSeconds: 0, cpuSeconds: 40)])
    }
}

/// The days a usage report covers.
@Suite struct UsageRangeTests {
    let now = Date(timeIntervalSince1970: 1_764_806_400 + 3600)  // 2025-12-04 01:00 UTC

    @Test func theDefaultIsTheLastThirtyDaysUpToToday() throws {
        let range = try UsageRange(from: nil, to: nil, now: now)
        #expect(range.to == "2025-12-04" && range.from == "2025-11-05" && range.days.count == 30)
        #expect(range.days.first == range.from && range.days.last == range.to)
    }

    @Test func anExplicitRangeCountsBothEnds() throws {
        let range = try UsageRange(from: "2024-02-28", to: "2024-03-01", now: now)
        #expect(range.days == ["2024-02-28", "2024-02-29", "2024-03-01"])
    }

    @Test(arguments: [
        ("2025-02-30", "2025-03-01", "from"), ("2025-03-01", "03/02/2025", "to"), ("2025-03-02", "2025-03-01", "from"),
        ("2023-01-01", "2025-01-01", "from"),
    ])
    func badInputNamesTheField(from: String, to: String, field: String) {
        #expect {
            try UsageRange(from: from, to: to, now: now)
        } throws: { error in
            (error as? SpecError)?.field == field
        }
    }
}
