import Foundation

/// How a leading process places jobs and sizes pools, as a value: the scheduler's and the autoscaler's files, what
/// carries out scaling, and the leader lease. The `control_plane` section of `--config`.
public struct ControlPlaneSettings: Codable, Sendable, Equatable {
    /// What carries out the autoscaler's decisions.
    public enum Actuator: String, Codable, Sendable, CaseIterable {
        /// Start and stop `spool worker` processes on this machine.
        case local
        /// Patch each pool's worker Deployment (in-cluster service account).
        case kubernetes
        /// Only publish `spool_pool_desired_workers` for an HPA or KEDA to follow.
        case gauge
    }

    /// Scheduler settings as JSON (profile and weights, ledger, classes, fairness, preemption).
    public var schedulerConfig: String?
    /// A built-in placement profile, over the file's.
    public var schedulerProfile: String?
    /// Autoscaler settings as JSON (interval, rates, forecast, instance catalog and prices).
    public var autoscalerConfig: String?
    /// nil: each topology's own default (`serve`: local, `manager`: gauge).
    public var actuator: Actuator?
    /// The worker Deployment of a pool under the kubernetes actuator; `{pool}` is the pool's name.
    public var kubernetesDeployment = "spool-worker-{pool}"
    /// Seconds the leader lease lasts without renewal; the holder renews every third of it.
    public var leaseTTLSeconds = 6
    /// Seconds without a worker heartbeat before the worker counts as dead.
    public var workerTimeoutSeconds = 15
    /// Seconds between passes that delete expired jobs and their files, on the leader.
    public var retentionSweepSeconds: Double = 60

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case actuator
        case schedulerConfig = "scheduler_config"
        case schedulerProfile = "scheduler_profile"
        case autoscalerConfig = "autoscaler_config"
        case kubernetesDeployment = "kubernetes_deployment"
        case leaseTTLSeconds = "lease_ttl_seconds"
        case workerTimeoutSeconds = "worker_timeout_seconds"
        case retentionSweepSeconds = "retention_sweep_seconds"
    }

    public var leaseTTL: Duration { .seconds(leaseTTLSeconds) }
    public var workerTimeout: Duration { .seconds(workerTimeoutSeconds) }
    public var retentionSweep: Duration { .milliseconds(Int64(retentionSweepSeconds * 1000)) }

    public func validate() throws(RuntimeConfigurationError) {
        guard leaseTTLSeconds >= 1 else {
            throw .outOfRange(field: "control_plane.lease_ttl_seconds", rule: "at least 1")
        }
        guard workerTimeoutSeconds >= 1 else {
            throw .outOfRange(field: "control_plane.worker_timeout_seconds", rule: "at least 1")
        }
        guard retentionSweepSeconds >= 0.1 else {
            throw .outOfRange(field: "control_plane.retention_sweep_seconds", rule: "at least 0.1")
        }
    }
}

/// How a process signs and sends the webhooks of ended jobs. The `webhooks` section of `--config`.
public struct WebhookSenderSettings: Codable, Sendable, Equatable {
    /// A file holding the master secret (else `SPOOL_WEBHOOK_SECRET`, else DATA/webhook-secret, made once).
    public var secretFile: String?
    /// Tries per delivery, the first included, with jittered exponential backoff between them.
    public var attempts = 10
    public var timeoutSeconds: Double = 10
    /// Consecutive failures to one callback host that open its breaker, and how long it holds deliveries back.
    public var breakerFailures = 5
    public var breakerCooldownSeconds: Double = 30
    /// Let callbacks reach loopback, private and link-local addresses (also allowed by the API's
    /// `allow_private_networks`).
    public var allowPrivateCallbacks = false

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case attempts
        case secretFile = "secret_file"
        case timeoutSeconds = "timeout_seconds"
        case breakerFailures = "breaker_failures"
        case breakerCooldownSeconds = "breaker_cooldown"
        case allowPrivateCallbacks = "allow_private_callbacks"
    }
}
