import Foundation
import SpoolCore
import SpoolMedia

/// How a worker finds its next job.
public enum DispatchMode: String, Codable, Sendable, CaseIterable {
    /// Takes only jobs the scheduler placed on it (the default: a manager or `spool serve` places).
    case placed
    /// Takes the best queued job of its pool itself, with no scheduler: no GPU accounting, no placement.
    case pull
}

/// What a worker does with a job it holds.
public enum Executor: String, Codable, Sendable, CaseIterable {
    /// Fetch, probe, transcode, validate, commit: the real work (the default).
    case ffmpeg
    /// For benchmarks of the queue only: commits each job at once, with no input read and no output made. The rest
    /// of the path (submission, placement, claim, lease, fenced commit) is the real one.
    case noop
}

/// How one worker runs: which pool it serves, how many jobs at once, and its time limits.
public struct WorkerConfiguration: Sendable {
    public var pool: PoolDescriptor
    /// Jobs run at once. On CPU, one single-threaded job per core beats one multi-threaded job (shared notes §7).
    public var slots: Int
    /// Whether the worker also takes jobs that name no pool.
    public var acceptsUnpinned: Bool
    public var leaseDuration: Duration
    /// How often a running job renews its lease, reports progress and learns of cancellation.
    public var heartbeatInterval: Duration
    /// How long an idle slot waits before looking for work again.
    public var pollInterval: Duration
    /// How often the worker's own registry entry is refreshed.
    public var registrationInterval: Duration
    public var stallTimeout: Duration
    public var hardCap: Duration
    /// Time running jobs get to finish after SIGTERM before they are handed back.
    public var shutdownGrace: Duration
    /// ffmpeg threads per output; nil lets ffmpeg decide.
    public var threadsPerOutput: Int?
    public var measureSSIM: Bool
    public var dispatch: DispatchMode
    /// Reuse the outputs of an earlier job with the same input bytes and outputs instead of transcoding again.
    public var deduplicate: Bool
    /// Where this worker keeps downloaded inputs (a directory of its own is made inside), and how many bytes at most;
    /// 0 turns the cache and input warming off.
    public var inputCacheDirectory: String
    public var inputCacheBytes: Int64
    /// The largest frame and frame rate an input may declare; bigger ones fail as `unsupported` at probe time.
    public var inputLimits: InputLimits
    /// The address space each ffmpeg may map (RLIMIT_AS, through prlimit(1)); nil: no limit. Bounds what one bad
    /// input can take from the host. Not for CUDA pools: the driver maps far more address space than it uses.
    public var ffmpegMemoryLimitBytes: Int?
    public var executor: Executor = .ffmpeg
    /// What the capacity this worker runs on costs (instance and capacity type, hourly price, catalog watts), so
    /// each attempt records its cost; nil when the worker was told nothing about it (costs are then unknown).
    public var capacityPrice: CapacityPrice? = nil
    /// Spot or on-demand, as the actuator that started this worker said (`--capacity-type`); registered, so the
    /// autoscaler drains it from its own part and knows an on-demand worker that vanished was no interruption.
    public var capacityType: CapacityType?

    public init(
        pool: PoolDescriptor, slots: Int, acceptsUnpinned: Bool = true, leaseDuration: Duration = .seconds(30),
        heartbeatInterval: Duration = .milliseconds(500), pollInterval: Duration = .milliseconds(250),
        registrationInterval: Duration = .seconds(2), stallTimeout: Duration = .seconds(60),
        hardCap: Duration = .seconds(6 * 3600), shutdownGrace: Duration = .seconds(20), threadsPerOutput: Int? = nil,
        measureSSIM: Bool = true, dispatch: DispatchMode = .placed,
        deduplicate: Bool = true, inputCacheDirectory: String = NSTemporaryDirectory() + "spool-input-cache",
        inputCacheBytes: Int64 = 2 << 30, inputLimits: InputLimits = .standard, ffmpegMemoryLimitBytes: Int? = nil,
        executor: Executor = .ffmpeg
    ) {
        self.executor = executor
        self.inputLimits = inputLimits
        self.ffmpegMemoryLimitBytes = ffmpegMemoryLimitBytes
        self.inputCacheDirectory = inputCacheDirectory
        self.inputCacheBytes = inputCacheBytes
        self.deduplicate = deduplicate
        self.pool = pool
        self.slots = max(1, slots)
        self.acceptsUnpinned = acceptsUnpinned
        self.leaseDuration = leaseDuration
        self.heartbeatInterval = heartbeatInterval
        self.pollInterval = pollInterval
        self.registrationInterval = registrationInterval
        self.stallTimeout = stallTimeout
        self.hardCap = hardCap
        self.shutdownGrace = shutdownGrace
        self.threadsPerOutput = threadsPerOutput
        self.measureSSIM = measureSSIM
        self.dispatch = dispatch
    }
}
