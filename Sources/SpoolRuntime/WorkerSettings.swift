import Foundation
import SpoolCore
import SpoolMedia
import SpoolWorker

/// How a worker process runs its attempts, as a value: what `spool serve` and `spool worker` take from flags, and
/// what a parent hands a child worker it starts.
public struct WorkerSettings: Codable, Sendable, Equatable {
    /// Seconds a job may make no progress before it is stopped.
    public var stallTimeoutSeconds = 60
    /// Hard cap on one attempt, in seconds.
    public var maxJobSeconds = 6 * 3600
    /// Seconds without a heartbeat before a running job is given to another worker.
    public var leaseSeconds = 30
    /// Seconds running jobs get to finish after SIGTERM before they are handed back.
    public var shutdownGraceSeconds = 20
    public var dispatch: DispatchMode = .placed
    /// Reuse the outputs of an earlier job of the same tenant with the same input bytes and outputs.
    public var deduplicate = true
    public var inputCacheDirectory = NSTemporaryDirectory() + "spool-input-cache"
    /// Bytes of downloaded inputs each worker keeps (0: off).
    public var inputCacheBytes: Int64 = 2 << 30
    /// Width × height an input's frame may have; a larger one fails the job as `unsupported`.
    public var maxInputPixels = InputLimits.standard.maxPixels
    /// Frames per second an input may declare.
    public var maxInputFrameRate = InputLimits.standard.maxFrameRate
    /// MiB of address space each ffmpeg may map (0: no limit).
    public var ffmpegMemoryLimitMiB = 0
    /// `noop` commits jobs without doing them: for queue benchmarks only.
    public var executor: Executor = .ffmpeg
    /// Threads each output's encoder and filters use; nil: one on a CPU pool (which runs a job per core), ffmpeg's
    /// own choice elsewhere.
    public var ffmpegThreads: Int?
    /// The instance type this worker runs on (a catalog entry's name); nil takes the managed pool's, if any.
    public var instanceType: String?
    /// Spot or on-demand; nil takes the managed pool's (`spot`), else on-demand.
    public var capacityType: CapacityType?
    /// The instance's hourly price, over the catalog's.
    public var pricePerHour: Double?
    /// A JSON file whose `catalog` lists the instance types and prices (the autoscaler's settings file); nil takes
    /// the process's `--autoscaler-config`, if any.
    public var instanceCatalog: String?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dispatch, deduplicate
        case stallTimeoutSeconds = "stall_timeout_seconds"
        case maxJobSeconds = "max_job_seconds"
        case leaseSeconds = "lease_seconds"
        case shutdownGraceSeconds = "shutdown_grace_seconds"
        case inputCacheDirectory = "input_cache_dir"
        case inputCacheBytes = "input_cache_bytes"
        case maxInputPixels = "max_input_pixels"
        case maxInputFrameRate = "max_input_fps"
        case ffmpegMemoryLimitMiB = "ffmpeg_memory_limit_mib"
        case executor
        case ffmpegThreads = "ffmpeg_threads"
        case instanceType = "instance_type"
        case capacityType = "capacity_type"
        case pricePerHour = "price_per_hour"
        case instanceCatalog = "instance_catalog"
    }

    /// Every field is optional in a file; what it leaves out keeps its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = WorkerSettings()
        stallTimeoutSeconds =
            try c.decodeIfPresent(Int.self, forKey: .stallTimeoutSeconds) ?? defaults.stallTimeoutSeconds
        maxJobSeconds = try c.decodeIfPresent(Int.self, forKey: .maxJobSeconds) ?? defaults.maxJobSeconds
        leaseSeconds = try c.decodeIfPresent(Int.self, forKey: .leaseSeconds) ?? defaults.leaseSeconds
        shutdownGraceSeconds =
            try c.decodeIfPresent(Int.self, forKey: .shutdownGraceSeconds) ?? defaults.shutdownGraceSeconds
        dispatch = try c.decodeIfPresent(DispatchMode.self, forKey: .dispatch) ?? defaults.dispatch
        deduplicate = try c.decodeIfPresent(Bool.self, forKey: .deduplicate) ?? defaults.deduplicate
        inputCacheDirectory =
            try c.decodeIfPresent(String.self, forKey: .inputCacheDirectory) ?? defaults.inputCacheDirectory
        inputCacheBytes = try c.decodeIfPresent(Int64.self, forKey: .inputCacheBytes) ?? defaults.inputCacheBytes
        maxInputPixels = try c.decodeIfPresent(Int.self, forKey: .maxInputPixels) ?? defaults.maxInputPixels
        maxInputFrameRate =
            try c.decodeIfPresent(Double.self, forKey: .maxInputFrameRate) ?? defaults.maxInputFrameRate
        ffmpegMemoryLimitMiB =
            try c.decodeIfPresent(Int.self, forKey: .ffmpegMemoryLimitMiB) ?? defaults.ffmpegMemoryLimitMiB
        executor = try c.decodeIfPresent(Executor.self, forKey: .executor) ?? defaults.executor
        ffmpegThreads = try c.decodeIfPresent(Int.self, forKey: .ffmpegThreads)
        instanceType = try c.decodeIfPresent(String.self, forKey: .instanceType)
        capacityType = try c.decodeIfPresent(CapacityType.self, forKey: .capacityType)
        pricePerHour = try c.decodeIfPresent(Double.self, forKey: .pricePerHour)
        instanceCatalog = try c.decodeIfPresent(String.self, forKey: .instanceCatalog)
    }

    /// One pool's worker configuration. Defaults by pool kind live here and nowhere else: a CPU pool runs a job per
    /// core with one thread per output; an OpenCL device one job; a GPU pool two per GPU. A CPU pool takes unpinned
    /// work; GPU and OpenCL pools do only where the machine has no CPU pool to take it.
    public func configuration(
        for pool: PoolDescriptor, inventory: DeviceInventory, all: [PoolDescriptor], slots: Int?
    ) -> WorkerConfiguration {
        let hasCPU = all.contains { $0.kind == .cpu }
        let defaultSlots: Int
        let acceptsUnpinned: Bool
        switch pool.kind {
        case .cpu:
            defaultSlots = max(1, inventory.cpuCores)
            acceptsUnpinned = true
        case .opencl:
            defaultSlots = 1
            acceptsUnpinned = !hasCPU
        case .cuda, .hybrid:
            defaultSlots = max(1, inventory.gpus.count * 2)
            acceptsUnpinned = pool.kind == .hybrid || !hasCPU
        }
        return WorkerConfiguration(
            pool: pool, slots: slots ?? defaultSlots, acceptsUnpinned: acceptsUnpinned,
            leaseDuration: .seconds(leaseSeconds), stallTimeout: .seconds(stallTimeoutSeconds),
            hardCap: .seconds(maxJobSeconds), shutdownGrace: .seconds(shutdownGraceSeconds),
            threadsPerOutput: ffmpegThreads ?? (pool.kind == .cpu ? 1 : nil), dispatch: dispatch,
            deduplicate: deduplicate,
            inputCacheDirectory: inputCacheDirectory, inputCacheBytes: max(0, inputCacheBytes),
            inputLimits: InputLimits(maxPixels: maxInputPixels, maxFrameRate: maxInputFrameRate),
            ffmpegMemoryLimitBytes: ffmpegMemoryLimitMiB > 0 ? ffmpegMemoryLimitMiB << 20 : nil, executor: executor)
    }

    /// The flags that give a child `spool worker` these settings.
    public var arguments: [String] {
        [
            "--stall-timeout", "\(stallTimeoutSeconds)", "--max-job-seconds", "\(maxJobSeconds)", "--lease-seconds",
            "\(leaseSeconds)", "--shutdown-grace", "\(shutdownGraceSeconds)", "--dispatch", dispatch.rawValue,
            "--input-cache-dir", inputCacheDirectory, "--input-cache-bytes", "\(inputCacheBytes)",
            "--max-input-pixels", "\(maxInputPixels)", "--max-input-fps", "\(maxInputFrameRate)",
            "--ffmpeg-memory-limit", "\(ffmpegMemoryLimitMiB)", "--executor", executor.rawValue,
        ] + (deduplicate ? [] : ["--no-deduplicate"]) + (ffmpegThreads.map { ["--ffmpeg-threads", "\($0)"] } ?? [])
            + (instanceType.map { ["--instance-type", $0] } ?? [])
            + (capacityType.map { ["--capacity-type", $0.rawValue] } ?? [])
            + (pricePerHour.map { ["--price-per-hour", "\($0)"] } ?? [])
            + (instanceCatalog.map { ["--instance-catalog", $0] } ?? [])
    }
}
