import Foundation
import Logging
import SpoolControlPlane
import SpoolCore
import Synchronization

/// Watches one ffmpeg's GPU memory while it runs (nvidia-smi's per-process figure) and keeps the peak.
final class GPUMemorySampler: Sendable {
    private let pid = Atomic<Int32>(0)
    private let peak = Atomic<Int>(0)

    func started(_ pid: Int32) { self.pid.store(pid, ordering: .relaxed) }

    var peakMiB: Int { peak.load(ordering: .relaxed) }

    /// Samples until cancelled.
    func run<C: Clock>(every interval: Duration, clock: C, logger: Logger, query: @Sendable () async -> [Int32: Int])
        async where C.Duration == Duration
    {
        await runPeriodically(every: interval, clock: clock, lifetime: .untilCancelled, logger: logger) {
            let pid = self.pid.load(ordering: .relaxed)
            if pid > 0, let used = await query()[pid] {
                var current = peak.load(ordering: .relaxed)
                while used > current {
                    let (exchanged, original) = peak.compareExchange(
                        expected: current, desired: used, ordering: .relaxed)
                    if exchanged { break }
                    current = original
                }
            }
            return .wait
        }
    }
}

/// The worker's latest GPU memory observations, published in its registration for the scheduler to learn from.
public final class GPUMemoryObservations: Sendable {
    private let entries = Mutex<[GPUMemoryObservation]>([])
    let capacity: Int

    public init(capacity: Int = 32) { self.capacity = capacity }

    public func record(_ observation: GPUMemoryObservation) {
        entries.withLock { entries in
            entries.append(observation)
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
    }

    public var latest: [GPUMemoryObservation] { entries.withLock { $0 } }
}
