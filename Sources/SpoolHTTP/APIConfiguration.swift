import SpoolCore
import SpoolInputs
import SpoolStorage
import SpoolWebhooks

/// What the HTTP API needs to know about its deployment.
public struct APIConfiguration: Sendable {
    public var layout: DataLayout
    public var inputPolicy: InputPolicy
    /// How often the event stream looks for changes.
    public var eventPollInterval: Duration
    /// How often the live job list (`/v1/jobs/events`) reads the newest jobs.
    public var jobListPollInterval: Duration = .seconds(1)
    /// How long one live job list stream lasts before the browser reconnects (and resynchronises).
    public var jobListStreamLifetime: Duration = .seconds(300)
    /// Ends live streams when the gateway drains, so they do not hold its shutdown up.
    public var drain: GracefulDrain?
    /// Largest accepted JSON body.
    public var maxJSONBytes: Int
    /// Instance types a pool may name; nil accepts any (a gateway without the autoscaler's configuration).
    public var instanceTypes: Set<String>?
    /// How long a worker may go without heartbeating before pool health calls it silent.
    public var workerTimeoutSeconds: Double
    public var authentication: AuthenticationMode
    public var rateLimits: RateLimitSettings
    public var jobCache: JobCacheSettings
    /// Signs webhook deliveries; it also answers `GET /v1/webhooks/secret`. Nil on a gateway that sends none.
    public var webhookSigner: WebhookSigner?
    public var storageBreaker: StorageBreakerSettings
    /// Where uploads and published outputs live: the data directory itself (`file`, the default) or a bucket.
    public var objects: any ObjectStorage
    /// Downloads from a bucket answer 307 to a presigned URL (the bucket or its CDN serves the bytes) instead of
    /// streaming through the gateway. Ignored where the storage has no presigned URLs (`file`).
    public var redirectDownloads = false
    /// The windows of jobs whose request and tenant name none (`--retention-days`, `--dead-letter-retention-days`).
    public var retention = RetentionPolicy.standard
    /// The pools this process runs itself (`spool serve --pools`): not created, replaced or destroyed through the API.
    public var builtInPools: Set<String> = []

    public init(
        layout: DataLayout, inputPolicy: InputPolicy, eventPollInterval: Duration = .milliseconds(250),
        maxJSONBytes: Int = 1 << 20, instanceTypes: Set<String>? = nil, workerTimeoutSeconds: Double = 15,
        authentication: AuthenticationMode = .keyless, rateLimits: RateLimitSettings = RateLimitSettings(),
        jobCache: JobCacheSettings = JobCacheSettings(), webhookSigner: WebhookSigner? = nil,
        storageBreaker: StorageBreakerSettings = StorageBreakerSettings(), objects: (any ObjectStorage)? = nil
    ) {
        self.storageBreaker = storageBreaker
        self.objects = objects ?? FileObjectStorage(root: layout.root)
        self.webhookSigner = webhookSigner
        self.jobCache = jobCache
        self.authentication = authentication
        self.rateLimits = rateLimits
        self.instanceTypes = instanceTypes
        self.workerTimeoutSeconds = workerTimeoutSeconds
        self.layout = layout
        self.inputPolicy = inputPolicy
        self.eventPollInterval = eventPollInterval
        self.maxJSONBytes = maxJSONBytes
    }

    var inputAccess: InputAccess { InputAccess(policy: inputPolicy, layout: layout) }

    /// The input rules for one tenant: the host's input roots for the default tenant, the tenant's own `files`
    /// directory for any other.
    func inputPolicy(for tenant: TenantID) -> InputPolicy { inputPolicy.scoped(to: tenant, layout: layout) }

    /// Callbacks obey the same address rules as inputs: no loopback, private or link-local hosts unless allowed.
    func checkCallback(_ url: String) throws(SpecError) {
        do {
            try inputAccess.checkHost(of: url)
        } catch {
            throw SpecError(field: "callback_url", rule: error.rule, message: error.message)
        }
    }

    func inputAccess(for tenant: TenantID) -> InputAccess { inputAccess.scoped(to: tenant) }

    /// Uploads and outputs live in a storage other than the data directory (a bucket): they are read and written
    /// through `objects`, never as files.
    var uploadsAreRemote: Bool { objects.localRoot != layout.root }
}

/// Answers `/ready`: each check names what is wrong, or nil when fine.
public struct ReadinessChecks: Sendable {
    public var checks: [String: @Sendable () async -> String?]

    public init(_ checks: [String: @Sendable () async -> String?] = [:]) {
        self.checks = checks
    }
}
