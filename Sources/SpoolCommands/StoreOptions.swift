import ArgumentParser
import Foundation
import Logging
import RESPClient
import SpoolCore
import SpoolHTTP
import SpoolMedia
import SpoolPlacement
import SpoolRedis
import SpoolRuntime
import SpoolSQLite
import SpoolScheduling
import SpoolWorker

/// Where state lives: the embedded SQLite file under --data, or a shared Redis with --redis. Files (uploads, work,
/// outputs) always live under --data, which every process of a cluster must share.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Settings as JSON ({\"store\": {…}, \"worker\": {…}, \"api\": {…}, \"control_plane\": {…}, "
                + "\"webhooks\": {…}}, see docs/architecture.md); it replaces the flags, and SPOOL_* variables "
                + "override it.", valueName: "file"))
    var config: String?

    @Option(help: "Directory for uploads, work files and outputs (shared by every process), and the SQLite store.")
    var data = "./spool-data"

    @Option(help: "Use Redis instead of SQLite: redis://host:port[/db], or several host:port for a Redis Cluster.")
    var redis: String?

    @Option(help: "Prefix of every Redis key, so several deployments can share one Redis.")
    var redisNamespace = "spool"

    @Option(help: "How many hash tags jobs spread over in Redis (fixed for the life of the data).")
    var redisShards = 4

    @Option(
        help: ArgumentHelp(
            "Replicas each acknowledged write waits for (Redis WAIT, up to 1 s): with 1, a failover loses no job "
                + "the API or a worker was told is recorded. 0 (the default) acknowledges on the master alone.",
            valueName: "n"))
    var redisWaitReplicas = 0

    @Option(help: "Attempts per job for failures that may pass.")
    var maxAttempts = 3

    @Option(
        help: ArgumentHelp(
            "Where uploads and outputs live: file:///PATH (a directory every process reaches) or s3://BUCKET[/PREFIX] "
                + "(credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE). Default: --data.",
            valueName: "url"))
    var storage: String?

    @Option(
        help: "The S3 endpoint, e.g. http://127.0.0.1:8333 for SeaweedFS or MinIO (else $SPOOL_S3_ENDPOINT; else AWS).")
    var s3Endpoint: String?

    @Option(help: "The S3 region requests are signed for.")
    var s3Region = "us-east-1"

    @Flag(help: "Address the bucket in the path (http://ENDPOINT/BUCKET/KEY), as MinIO, SeaweedFS and Ceph expect.")
    var s3PathStyle = false

    @Option(help: "Failed connection attempts to a Redis server before its circuit breaker opens (fast errors).")
    var redisBreakerFailures = 5

    @Option(help: "Seconds an open Redis circuit breaker waits before it lets one probe through.")
    var redisBreakerCooldown: Double = 2

    func validate() throws {
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard (1...256).contains(redisShards) else { throw ValidationError("--redis-shards must be 1…256") }
        guard (0...16).contains(redisWaitReplicas) else { throw ValidationError("--redis-wait-replicas must be 0…16") }
        if let redis {
            do { _ = try RedisURL.configuration(redis) } catch { throw ValidationError("\(error)") }
        }
    }

    var layout: DataLayout { DataLayout(root: URL(fileURLWithPath: data).standardizedFileURL.path) }

    /// The settings this process runs with: `--config FILE` when given (it replaces the flags of every section), else
    /// `flags`; then the `SPOOL_…` environment over either (`RuntimeConfiguration`).
    func runtime(_ flags: RuntimeConfiguration = RuntimeConfiguration()) throws -> RuntimeConfiguration {
        do {
            var base = try config.map { try RuntimeConfiguration.load(file: $0) } ?? flags
            if config == nil { base.store = settings }
            var resolved = try base.overridden(by: ProcessInfo.processInfo.environment)
            resolved.store.data = URL(fileURLWithPath: resolved.store.data).standardizedFileURL.path
            if let redis = resolved.store.redis { _ = try RedisURL.configuration(redis) }
            return resolved
        } catch let error as RuntimeConfigurationError {
            throw ValidationError(error.description)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Opens the store `runtime(_:)` describes (`OpenedStore`).
    func open(_ flags: RuntimeConfiguration = RuntimeConfiguration()) throws -> OpenedStore {
        try OpenedStore.open(try runtime(flags))
    }
}

/// Options of processes that serve the HTTP API.
struct APIOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one; the chosen port is printed).")
    var port = 7878

    @Option(name: .customLong("input-root"), help: "A directory file:// inputs may come from (repeatable).")
    var inputRoots: [String] = []

    @Flag(help: "Let http(s) inputs reach loopback, private and link-local addresses.")
    var allowPrivateNetworks = false

    @Option(help: "Largest upload or download accepted, in bytes.")
    var maxUploadBytes: Int64 = 4 << 30

    @Option(
        help: ArgumentHelp(
            "A file holding the admin key (else $SPOOL_ADMIN_KEY). With one, every /v1 call needs a key; without, "
                + "only a loopback address is served, keyless, as the default tenant.", valueName: "file"))
    var adminKeyFile: String?

    @Option(help: "Requests per second of a tenant without its own rate (burst: twice that).")
    var tenantRate: Double = 20_000

    @Option(help: "Requests per second of one client address (burst: twice that).")
    var addressRate: Double = 20_000

    @Option(help: "When the rate limiter's store cannot be reached: allow (serve unmetered) or deny (503).")
    var rateLimitOnError: String = "allow"

    @Option(help: "Seconds to keep serving after SIGTERM with /ready at 503, so a balancer drains this process.")
    var drainSeconds: Double = 3

    @Option(help: "Replacement policy of the in-process job cache: lru, lfu or arc.")
    var cachePolicy: String = "arc"

    @Option(help: "Jobs the in-process cache keeps (0 turns it off).")
    var cacheEntries: Int = 10_000

    @Option(help: "Consecutive file-storage failures (uploads, downloads) that open its circuit breaker.")
    var storageBreakerFailures = 5

    @Option(help: "Seconds the storage breaker answers 503 before one request probes the storage again.")
    var storageBreakerCooldown: Double = 10

    @Option(
        help: ArgumentHelp(
            "How outputs in a bucket are downloaded: stream (through this gateway, with Range and ETag) or redirect "
                + "(307 to a presigned URL that expires in 15 minutes).", valueName: "stream|redirect"))
    var downloads: APISettings.Downloads = .stream

    @Option(
        name: .customLong("input-bucket"),
        help: "A bucket whose objects the administrator's jobs may name as s3:// inputs (repeatable).")
    var inputBuckets: [String] = []

    @Option(
        help: ArgumentHelp(
            "Days a finished job, its outputs and its upload are kept before they are deleted (fractions allowed). "
                + "A tenant's retain_days (admin API) or a job's \"retain_days\" overrides it; a job keeps the "
                + "window it was submitted under.", valueName: "days"))
    var retentionDays: Double = RetentionPolicy.standard.days

    @Option(
        help: ArgumentHelp(
            "Days a dead-lettered job (failed after its retries) is kept, so it can be looked at and retried.",
            valueName: "days"))
    var deadLetterRetentionDays: Double = RetentionPolicy.standard.deadLetterDays

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        for root in inputRoots where !root.hasPrefix("/") {
            throw ValidationError("--input-root takes absolute paths, got '\(root)'")
        }
        guard CachePolicy(rawValue: cachePolicy) != nil else {
            throw ValidationError("--cache-policy takes lru, lfu or arc")
        }
        guard RateLimitSettings.OnError(rawValue: rateLimitOnError) != nil else {
            throw ValidationError("--rate-limit-on-error takes allow or deny")
        }
        guard tenantRate > 0, addressRate > 0 else { throw ValidationError("rates must be above 0") }
        for (flag, days) in [
            ("--retention-days", retentionDays), ("--dead-letter-retention-days", deadLetterRetentionDays),
        ]
        where !(days > 0 && days <= RetentionPolicy.maximumDays) {
            throw ValidationError(
                "\(flag) must be above 0 and at most \(Int(RetentionPolicy.maximumDays)), got \(days)")
        }
    }

    /// These options as a value (`SpoolRuntime`).
    var settings: APISettings {
        var settings = APISettings()
        settings.host = host
        settings.port = port
        settings.inputRoots = inputRoots
        settings.allowPrivateNetworks = allowPrivateNetworks
        settings.maxUploadBytes = maxUploadBytes
        settings.adminKeyFile = adminKeyFile
        settings.tenantRate = tenantRate
        settings.addressRate = addressRate
        settings.rateLimitOnError = RateLimitSettings.OnError(rawValue: rateLimitOnError) ?? .allow
        settings.drainSeconds = drainSeconds
        settings.cachePolicy = CachePolicy(rawValue: cachePolicy) ?? .arc
        settings.cacheEntries = cacheEntries
        settings.storageBreakerFailures = storageBreakerFailures
        settings.storageBreakerCooldownSeconds = storageBreakerCooldown
        settings.downloads = downloads
        settings.inputBuckets = inputBuckets
        settings.retentionDays = retentionDays
        settings.deadLetterRetentionDays = deadLetterRetentionDays
        return settings
    }
}

/// Options of processes that run workers.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Seconds a job may make no progress before it is stopped.")
    var stallTimeout = 60

    @Option(help: "Hard cap on one attempt, in seconds.")
    var maxJobSeconds = 6 * 3600

    @Option(help: "Seconds without a heartbeat before a running job is given to another worker.")
    var leaseSeconds = 30

    @Option(help: "Seconds running jobs get to finish after SIGTERM before they are handed back.")
    var shutdownGrace = 20

    @Option(
        help: ArgumentHelp(
            "How the worker gets jobs: placed (the scheduler picks the worker and device, the default) or pull (take "
                + "the best queued job of the pool; no GPU accounting, for fleets without a manager).",
            valueName: "placed|pull"))
    var dispatch: DispatchMode = .placed

    @Flag(
        inversion: .prefixedNo,
        help: "Reuse the outputs of an earlier job of the same tenant with the same input bytes and outputs.")
    var deduplicate = true

    @Option(
        help: ArgumentHelp(
            "Where workers keep downloaded http(s) inputs, each in a directory of its own (local disk is best).",
            valueName: "dir"))
    var inputCacheDir: String = NSTemporaryDirectory() + "spool-input-cache"

    @Option(
        help: "Bytes of downloaded inputs each worker keeps; inputs of waiting jobs are prefetched into it (0: off).")
    var inputCacheBytes: Int64 = 2 << 30

    @Option(
        help: ArgumentHelp(
            "Largest frame (width × height) an input may declare; a larger one fails as unsupported, not retried "
                + "(8K UHD is 33177600).", valueName: "pixels"))
    var maxInputPixels = InputLimits.standard.maxPixels

    @Option(help: ArgumentHelp("Highest frame rate an input may declare.", valueName: "fps"))
    var maxInputFps = InputLimits.standard.maxFrameRate

    @Option(
        help: ArgumentHelp(
            "Address space each ffmpeg may map, in MiB (RLIMIT_AS through prlimit): an input that needs more fails "
                + "that attempt instead of taking the host's memory. 0: no limit. Not for cuda pools (the driver "
                + "maps more than it uses).", valueName: "MiB"))
    var ffmpegMemoryLimit = 0

    @Option(
        help: ArgumentHelp(
            "ffmpeg (the real work) or noop: for queue benchmarks only, commit each job at once without reading its "
                + "input or making its outputs.", valueName: "executor"))
    var executor: Executor = .ffmpeg

    @Option(
        help: ArgumentHelp(
            "Threads each output's encoder and filters use (default: 1 on a cpu pool, which runs one job per core; "
                + "ffmpeg's own choice elsewhere).", valueName: "n"))
    var ffmpegThreads: Int?

    @Option(
        help: ArgumentHelp(
            "The instance type this worker runs on, as the instance catalog names it (e.g. g6.xlarge): each attempt "
                + "pays its slot's share of the type's hourly price. Default: the managed pool's "
                + "(else $SPOOL_INSTANCE_TYPE).", valueName: "name"))
    var instanceType: String?

    @Option(
        help: ArgumentHelp(
            "Whether the instance is spot or on-demand capacity, which decides the catalog price. Default: the managed "
                + "pool's spot setting, else on-demand (else $SPOOL_CAPACITY_TYPE).", valueName: "on-demand|spot"))
    var capacityType: CapacityType?

    @Option(
        help: ArgumentHelp(
            "The instance's hourly price in USD, over the catalog's. With neither, job costs are unknown (null), "
                + "never guessed (else $SPOOL_PRICE_PER_HOUR).", valueName: "USD"))
    var pricePerHour: Double?

    @Option(
        help: ArgumentHelp(
            "A JSON file whose \"catalog\" lists instance types, prices and optional watts (the autoscaler's settings "
                + "file). Default: --autoscaler-config, where the process has one (else $SPOOL_INSTANCE_CATALOG).",
            valueName: "file"))
    var instanceCatalog: String?

    func validate() throws {
        if let ffmpegThreads, !(1...64).contains(ffmpegThreads) {
            throw ValidationError("--ffmpeg-threads takes 1…64, got \(ffmpegThreads)")
        }
        if let pricePerHour, !(pricePerHour >= 0 && pricePerHour.isFinite) {
            throw ValidationError("--price-per-hour takes a price of 0 or more, got \(pricePerHour)")
        }
    }

    /// These options as a value (`SpoolRuntime`), for workers in process and the child workers a process starts.
    var settings: WorkerSettings {
        var settings = WorkerSettings()
        settings.stallTimeoutSeconds = stallTimeout
        settings.maxJobSeconds = maxJobSeconds
        settings.leaseSeconds = leaseSeconds
        settings.shutdownGraceSeconds = shutdownGrace
        settings.dispatch = dispatch
        settings.deduplicate = deduplicate
        settings.inputCacheDirectory = inputCacheDir
        settings.inputCacheBytes = inputCacheBytes
        settings.maxInputPixels = maxInputPixels
        settings.maxInputFrameRate = maxInputFps
        settings.ffmpegMemoryLimitMiB = ffmpegMemoryLimit
        settings.executor = executor
        settings.ffmpegThreads = ffmpegThreads
        settings.instanceType = instanceType
        settings.capacityType = capacityType
        settings.pricePerHour = pricePerHour
        settings.instanceCatalog = instanceCatalog
        return settings
    }
}

extension DispatchMode: ExpressibleByArgument {}
extension Executor: ExpressibleByArgument {}
extension CapacityType: ExpressibleByArgument {}
extension APISettings.Downloads: ExpressibleByArgument {}

/// How jobs are placed: the scheduling profile and everything else in an optional JSON file.
struct SchedulerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Scheduler settings as JSON: profile and weights, ledger algorithm and overcommit, classes, fairness, "
                + "preemption (see docs/scheduling.md).", valueName: "file"))
    var schedulerConfig: String?

    @Option(
        help: ArgumentHelp(
            "Built-in placement profile: seed (the design's weights), best_fit, first_fit, power_of_two, spread, "
                + "seed_locality. Overrides the file's.", valueName: "name"))
    var schedulerProfile: String?

    func validate() throws {
        if let schedulerProfile, SchedulingProfile.named(schedulerProfile) == nil {
            throw ValidationError("\(SchedulerConfigurationError.unknownProfile(schedulerProfile))")
        }
    }
}

/// Logging and metrics, set up once per process.
struct ProcessOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info
}

extension StoreOptions {
    /// These options as a value (`SpoolRuntime`); a child process opens the same store with its `arguments`.
    var settings: StoreSettings {
        var settings = StoreSettings()
        settings.data = layout.root
        settings.redis = redis
        settings.redisNamespace = redisNamespace
        settings.redisShards = redisShards
        settings.redisWaitReplicas = redisWaitReplicas
        settings.redisBreakerFailures = redisBreakerFailures
        settings.redisBreakerCooldownSeconds = redisBreakerCooldown
        settings.maxAttempts = maxAttempts
        settings.storage = storage
        settings.s3Endpoint = s3Endpoint
        settings.s3Region = s3Region
        settings.s3PathStyle = s3PathStyle
        return settings
    }
}
