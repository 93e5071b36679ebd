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
    /// Spot interruptions within the cost settings' backoff before `time`, and the spot workers the pool has; nil
    /// when the caller does not count them, and then any interruption within the backoff counts as a crunch.
    public var recentSpotInterruptions: Int?
    public var spotWorkers: Int
    /// Of `waiting`, the jobs of the batch class, and how long the oldest of them waited: batch work may wait for
    /// capacity already paid for (see `AutoscalerPolicy.batchDeferralSeconds`).
    public var waitingBatch: Int
    public var oldestBatchWaitSeconds: Double
    /// How long the oldest waiting job of another class waited.
    public var oldestOtherWaitSeconds: Double

    public init(
        time: Date, waiting: Int, inFlight: Int, busyWorkers: Int, readyWorkers: Int, bootingWorkers: Int = 0,
        oldestWaitSeconds: Double = 0, responseTimeSeconds: Double? = nil, lastSpotInterruption: Date? = nil,
        waitingBatch: Int = 0, oldestBatchWaitSeconds: Double = 0, oldestOtherWaitSeconds: Double? = nil,
        recentSpotInterruptions: Int? = nil, spotWorkers: Int = 0
    ) {
        self.recentSpotInterruptions = recentSpotInterruptions
        self.spotWorkers = spotWorkers
        self.waitingBatch = min(max(waitingBatch, 0), waiting)
        self.oldestBatchWaitSeconds = oldestBatchWaitSeconds
        self.oldestOtherWaitSeconds = oldestOtherWaitSeconds ?? oldestWaitSeconds
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
        case waitingBatch = "waiting_batch"
        case recentSpotInterruptions = "recent_spot_interruptions"
        case spotWorkers = "spot_workers"
        case oldestBatchWaitSeconds = "oldest_batch_wait_seconds"
        case oldestOtherWaitSeconds = "oldest_other_wait_seconds"
    }

    /// Decisions stored before the batch fields existed still read back.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let oldest = try c.decode(Double.self, forKey: .oldestWaitSeconds)
        self.init(
            time: try c.decode(Date.self, forKey: .time), waiting: try c.decode(Int.self, forKey: .waiting),
            inFlight: try c.decode(Int.self, forKey: .inFlight),
            busyWorkers: try c.decode(Int.self, forKey: .busyWorkers),
            readyWorkers: try c.decode(Int.self, forKey: .readyWorkers),
            bootingWorkers: try c.decode(Int.self, forKey: .bootingWorkers), oldestWaitSeconds: oldest,
            responseTimeSeconds: try c.decodeIfPresent(Double.self, forKey: .responseTimeSeconds),
            lastSpotInterruption: try c.decodeIfPresent(Date.self, forKey: .lastSpotInterruption),
            waitingBatch: try c.decodeIfPresent(Int.self, forKey: .waitingBatch) ?? 0,
            oldestBatchWaitSeconds: try c.decodeIfPresent(Double.self, forKey: .oldestBatchWaitSeconds) ?? 0,
            oldestOtherWaitSeconds: try c.decodeIfPresent(Double.self, forKey: .oldestOtherWaitSeconds) ?? oldest,
            recentSpotInterruptions: try c.decodeIfPresent(Int.self, forKey: .recentSpotInterruptions),
            spotWorkers: try c.decodeIfPresent(Int.self, forKey: .spotWorkers) ?? 0)
    }

    /// The signals with waiting batch jobs left out: what the pool must carry now when batch work can wait.
    func withoutWaitingBatch() -> PoolSignals {
        withoutWaitingBatch(waitingBatch)
    }

    /// The signals with `count` of the waiting batch jobs (the youngest, since the oldest are nearest their SLO) left
    /// out of the queue.
    func withoutWaitingBatch(_ count: Int) -> PoolSignals {
        let left = min(max(count, 0), waitingBatch)
        var copy = self
        copy.waiting -= left
        copy.waitingBatch -= left
        if copy.waitingBatch == 0 {
            copy.oldestBatchWaitSeconds = 0
            copy.oldestWaitSeconds = copy.waiting > 0 ? oldestOtherWaitSeconds : 0
        }
        return copy
    }
}
