import Foundation
import RESPClient
import S3Client
import SpoolCore
import SpoolRedis
import SpoolSQLite
import SpoolStorage

/// The store a process runs on, opened from its settings: SQLite under the data directory, or Redis (single node or
/// Cluster) with a circuit breaker per server; with what goes with each (rate limiter, shared cache).
public struct OpenedStore: Sendable {
    public var store: any JobStore
    public var layout: DataLayout
    public var redis: RedisClient?
    /// Shared by every gateway through Redis; in process on SQLite, where this process is the only gateway.
    public var rateLimiter: any RateLimiter
    /// Values every process may reuse (ffprobe results by input digest): Redis has one; on SQLite, with one process,
    /// there is nothing to share.
    public var sharedCache: (any SharedCache)?
    /// What it was opened with, and the worker settings that go with it.
    public var runtime: RuntimeConfiguration
    /// Where uploads and outputs live (`--storage`): the data directory unless told otherwise.
    public var objects: any ObjectStorage
    /// Reads `s3://` inputs with the storage's credentials; nil unless the storage is a bucket.
    public var objectInputs: (any ObjectInputReading)?
    /// The store on Redis, for what only it offers (waking workers in other processes); nil on SQLite.
    public var redisStore: RedisJobStore?

    /// Creates the data directories and opens the store `runtime.store` names.
    public static func open(_ runtime: RuntimeConfiguration) throws -> OpenedStore {
        let settings = runtime.store
        var layout = DataLayout(root: URL(fileURLWithPath: settings.data).standardizedFileURL.path)
        for directory in [layout.root, layout.uploads, layout.work, layout.outputs] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let (objects, objectInputs) = try openStorage(settings, layout: layout)
        layout.storageURI = objects.name
        layout.outputsByAttempt = objects.localRoot != layout.root
        let lifecycle = JobLifecycle(retryPolicy: RetryPolicy(maxAttempts: settings.maxAttempts))
        if let redis = settings.redis {
            var configuration = try RedisURL.configuration(redis)
            if settings.redisWaitReplicas > 0 {
                configuration.replicaAcknowledgement = ReplicaAcknowledgement(replicas: settings.redisWaitReplicas)
            }
            let cooldown = Duration.milliseconds(Int64(max(settings.redisBreakerCooldownSeconds, 0.1) * 1000))
            for lane in [\RedisConfiguration.pool, \RedisConfiguration.blockingPool] {
                configuration[keyPath: lane].circuitBreakerThreshold = max(settings.redisBreakerFailures, 1)
                configuration[keyPath: lane].circuitBreakerCoolDown = cooldown
            }
            let client = RedisClient(configuration: configuration)
            let store = RedisJobStore(
                client: client, namespace: settings.redisNamespace, shards: settings.redisShards, lifecycle: lifecycle)
            var opened = OpenedStore(
                store: store, layout: layout, redis: client,
                rateLimiter: RedisRateLimiter(client: client, namespace: settings.redisNamespace), sharedCache: store,
                runtime: runtime, objects: objects, objectInputs: objectInputs)
            opened.redisStore = store
            return opened
        }
        return OpenedStore(
            store: try SQLiteJobStore(path: layout.database, lifecycle: lifecycle), layout: layout, redis: nil,
            rateLimiter: InProcessRateLimiter(), sharedCache: nil, runtime: runtime, objects: objects,
            objectInputs: objectInputs)
    }

    /// The storage `--storage` names; `checkAvailable()` (at start-up) says whether it is there.
    static func openStorage(_ settings: StoreSettings, layout: DataLayout) throws -> (
        any ObjectStorage, (any ObjectInputReading)?
    ) {
        switch try StorageLocation.parse(settings.storage) {
        case .dataDirectory:
            return (FileObjectStorage(root: layout.root), nil)
        case .directory(let path):
            return (FileObjectStorage(root: path), nil)
        case .s3(let bucket, let prefix):
            let credentials: S3Credentials
            do {
                credentials = try S3Credentials.load(environment: ProcessInfo.processInfo.environment)
            } catch {
                throw StartupError.invalidSettings(error.description)
            }
            let endpoint =
                settings.s3Endpoint ?? ProcessInfo.processInfo.environment["SPOOL_S3_ENDPOINT"]
            guard endpoint == nil || URL(string: endpoint!)?.host != nil else {
                throw StartupError.invalidSettings("--s3-endpoint \(endpoint!) is not a URL (http://HOST:PORT)")
            }
            let client = S3Client(
                endpoint: endpoint.flatMap { URL(string: $0) }, region: settings.s3Region,
                pathStyle: settings.s3PathStyle, credentials: credentials)
            let storage = S3ObjectStorage(client: client, bucket: bucket, prefix: prefix)
            return (storage, storage)
        }
    }
}
