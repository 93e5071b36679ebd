import SpoolCore

@testable import SpoolSimulation

/// Hand-made workloads and fleets small enough to reason about.
enum SmallWorkloads {
    static let fiveMinutes = JobDurations(nvencSeconds: 300, nvdecWithCPUSeconds: 600, cpuSeconds: 900)

    static func job(at seconds: Double, _ serviceClass: ServiceClass = .standard, kind: Int = 0) -> SimulatedJob {
        SimulatedJob(
            arrivalSeconds: seconds, tenant: "acme", serviceClass: serviceClass, kind: kind, durations: fiveMinutes)
    }

    /// A trickle (two jobs a minute for ten minutes), a burst of 120 jobs at 15 minutes, then three quiet hours.
    static func burst() -> Workload {
        let trickle = (0..<20).map { job(at: Double($0) * 30, kind: $0 % 3) }
        let burst = (0..<120).map { job(at: 900 + Double($0), .batch, kind: $0 % 3) }
        return Workload(
            name: "burst", durationSeconds: 3 * 3_600,
            kinds: [JobKind(preset: "web-720p"), JobKind(preset: "hls-ladder"), JobKind(preset: "web-1080p")],
            jobs: trickle + burst)
    }

    static let smallFleet = FleetSettings(
        minWorkers: 1, maxWorkers: 30, initialWorkers: 1, spotInterruptionsPerHour: 0)

    /// Four hours of the diurnal generator at a small scale, its peak, a burst and an outage inside the window.
    static func diurnal(seed: UInt64) -> Workload {
        DiurnalWorkload(
            durationSeconds: 4 * 3_600, peakConcurrency: 60, peakHour: 2, burstsPerDay: 6, burstJobs: 30,
            outages: [OutageWindow(startSeconds: 2 * 3_600, durationSeconds: 600)]
        ).generate(seed: seed)
    }

    static let diurnalFleet = FleetSettings(minWorkers: 1, maxWorkers: 30, spotInterruptionsPerHour: 0.5)

    /// Settings with a timeline point per tick, so tests see every change of the fleet.
    static func settings(seed: UInt64 = 1, packing: Bool = false) -> SimulationSettings {
        SimulationSettings(seed: seed, timelineBucketSeconds: 15, comparePacking: packing)
    }
}
