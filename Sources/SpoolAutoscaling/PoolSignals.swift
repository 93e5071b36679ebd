import Foundation

/// What one pool looks like at one evaluation: the inputs of every scaling rule.
public struct PoolSignals: Sendable, Codable, Equatable {
    public var time: Date
    /// Jobs queued for this pool and not yet placed.
    public var waiting: Int
    /// Jobs running on the pool's workers.
    public var inFlight: Int
    /// Workers with at least one running job; scale-in never goes below this.
    public var busyWorkers: Int
    public var readyWorkers: Int
    /// Workers requested but not ready yet; counted as capacity so a slow boot does not trigger a second scale-up.
    public var bootingWorkers: Int
    /// How long the oldest waiting job has waited, in seconds.
    public var oldestWaitSeconds: Double
    /// Mean seconds a job runs once placed; nil when no job finished recently.
    public var responseTimeSeconds: Double?
    /// When a spot instance of this pool was last interrupted, if ever.
    public var lastSpotInterruption: Date?

    public init(
        time: Date, waiting: Int, inFlight: Int, busyWorkers: Int, readyWorkers: Int, bootingWorkers: Int = 0,
        oldestWaitSeconds: Double = 0, responseTimeSeconds: Double? = nil, lastSpotInterruption: Date? = nil
    ) {
        self.time = time
        self.waiting = waiting
        self.inFlight = inFlight
        self.busyWorkers = busyWorkers
        self.readyWorkers = readyWorkers
        self.bootingWorkers = bootingWorkers
        self.oldestWaitSeconds = oldestWaitSeconds
        self.responseTimeSeconds = responseTimeSeconds
        self.lastSpotInterruption = lastSpotInterruption
    }

    public var currentWorkers: Int { readyWorkers + bootingWorkers }

    /// The demand the pool must absorb: everything queued plus everything running.
    public var backlog: Int { waiting + inFlight }

    private enum CodingKeys: String, CodingKey {
        case time, waiting
        case inFlight = "in_flight"
        case busyWorkers = "busy_workers"
        case readyWorkers = "ready_workers"
        case bootingWorkers = "booting_workers"
        case oldestWaitSeconds = "oldest_wait_seconds"
        case responseTimeSeconds = "response_time_seconds"
        case lastSpotInterruption = "last_spot_interruption"
    }
}
