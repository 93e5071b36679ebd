import Foundation

/// A customer of the platform: its API key (stored only as a hash), quotas and rate limit.
public struct Tenant: Codable, Sendable, Equatable {
    public var id: TenantID
    /// SHA-256 of the API key, hex. The key itself is shown once, when created or rotated.
    public var keyHash: String
    /// The key's last four characters, so an operator can tell keys apart without seeing them.
    public var keyHint: String
    public var limits: TenantLimits
    public var createdAt: Date
    /// When `max_queued` last went from unset to set or back; nil if it is as the tenant was created. A store that
    /// files idempotency keys by whether a tenant has that quota may find keys in either place only for a window
    /// after such a change.
    public var queuedQuotaChangedAt: Date?

    public init(id: TenantID, keyHash: String, keyHint: String, limits: TenantLimits, createdAt: Date) {
        self.id = id
        self.keyHash = keyHash
        self.keyHint = keyHint
        self.limits = limits
        self.createdAt = createdAt
    }

    /// The tenant with `limits`, noting when the queued-jobs quota appears or disappears.
    public func withLimits(_ limits: TenantLimits, now: Date) -> Tenant {
        var next = self
        if (self.limits.maxQueued == nil) != (limits.maxQueued == nil) { next.queuedQuotaChangedAt = now }
        next.limits = limits
        return next
    }

    /// Whether an idempotency key of this tenant may still name a job filed under the other rule (with or without
    /// the queued-jobs quota): only within the idempotency window after the quota appeared or disappeared.
    public func mayHaveKeysFiledElsewhere(now: Date) -> Bool {
        guard let changed = queuedQuotaChangedAt else { return false }
        return now.timeIntervalSince(changed) < JobSpec.idempotencyWindow
    }

    enum CodingKeys: String, CodingKey {
        case id, limits
        case keyHash = "key_hash"
        case keyHint = "key_hint"
        case createdAt = "created_at"
        case queuedQuotaChangedAt = "queued_quota_changed_at"
    }
}

/// Quotas and the rate limit of one tenant; nil means unlimited.
public struct TenantLimits: Codable, Sendable, Equatable {
    /// Jobs running at once; more wait in the queue (a soft limit: the submission is accepted).
    public var maxConcurrent: Int?
    /// Jobs queued at once; a submission beyond gets 429.
    public var maxQueued: Int?
    /// GPU-seconds of transcoding per UTC day; a submission after the budget is spent gets 429.
    public var gpuSecondsPerDay: Double?
    /// Bytes uploaded per UTC day; an upload beyond gets 403 (it cannot pass by waiting a moment).
    public var uploadBytesPerDay: Int64?
    /// Requests per second, with a burst of the same size; nil takes the server's default.
    public var requestsPerSecond: Double?
    /// Days the tenant's finished jobs and their files are kept (a job's `retain_days` overrides it); nil takes the
    /// server's `--retention-days`.
    public var retainDays: Double?

    public init(
        maxConcurrent: Int? = nil, maxQueued: Int? = nil, gpuSecondsPerDay: Double? = nil,
        uploadBytesPerDay: Int64? = nil, requestsPerSecond: Double? = nil, retainDays: Double? = nil
    ) {
        self.retainDays = retainDays
        self.maxConcurrent = maxConcurrent
        self.maxQueued = maxQueued
        self.gpuSecondsPerDay = gpuSecondsPerDay
        self.uploadBytesPerDay = uploadBytesPerDay
        self.requestsPerSecond = requestsPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case maxConcurrent = "max_concurrent"
        case maxQueued = "max_queued"
        case gpuSecondsPerDay = "gpu_seconds_per_day"
        case uploadBytesPerDay = "upload_bytes_per_day"
        case requestsPerSecond = "requests_per_second"
        case retainDays = "retain_days"
    }

    public func validated() throws(SpecError) -> TenantLimits {
        for (field, value) in [("max_concurrent", maxConcurrent), ("max_queued", maxQueued)] {
            if let value, value < 0 {
                throw SpecError(field: field, rule: "range", message: "must be 0 or more, got \(value)")
            }
        }
        if let gpuSecondsPerDay, gpuSecondsPerDay < 0 {
            throw SpecError(field: "gpu_seconds_per_day", rule: "range", message: "must be 0 or more")
        }
        if let uploadBytesPerDay, uploadBytesPerDay < 0 {
            throw SpecError(field: "upload_bytes_per_day", rule: "range", message: "must be 0 or more")
        }
        if let requestsPerSecond, !(requestsPerSecond > 0 && requestsPerSecond <= 1_000_000) {
            throw SpecError(field: "requests_per_second", rule: "range", message: "must be above 0 and at most 1000000")
        }
        if let retainDays { try RetentionPolicy.validate(days: retainDays, field: "retain_days") }
        return self
    }

    /// Fields given in `update` replace these.
    public func merged(with update: TenantLimits) -> TenantLimits {
        TenantLimits(
            maxConcurrent: update.maxConcurrent ?? maxConcurrent, maxQueued: update.maxQueued ?? maxQueued,
            gpuSecondsPerDay: update.gpuSecondsPerDay ?? gpuSecondsPerDay,
            uploadBytesPerDay: update.uploadBytesPerDay ?? uploadBytesPerDay,
            requestsPerSecond: update.requestsPerSecond ?? requestsPerSecond,
            retainDays: update.retainDays ?? retainDays)
    }
}

/// What a tenant used on one UTC day: the daily quotas read it, and `GET /v1/tenants/{id}/usage` reports it.
public struct TenantUsage: Sendable, Equatable {
    public var uploadBytes: Int64
    public var gpuSeconds: Double
    /// Jobs whose last attempt ended that day (succeeded or failed at their worker).
    public var jobs: Int
    public var cpuSeconds: Double
    /// The cost of the day's priced attempts (`CapacityPrice.currency`).
    public var cost: Double
    /// Attempts with a known price: none means the day's cost is unknown, not zero.
    public var pricedAttempts: Int
    public var energyJoules: Double
    /// Attempts with a known energy: none means the day's energy is unknown.
    public var energyAttempts: Int

    public init(
        uploadBytes: Int64 = 0, gpuSeconds: Double = 0, jobs: Int = 0, cpuSeconds: Double = 0, cost: Double = 0,
        pricedAttempts: Int = 0, energyJoules: Double = 0, energyAttempts: Int = 0
    ) {
        self.uploadBytes = uploadBytes
        self.gpuSeconds = gpuSeconds
        self.jobs = jobs
        self.cpuSeconds = cpuSeconds
        self.cost = cost
        self.pricedAttempts = pricedAttempts
        self.energyJoules = energyJoules
        self.energyAttempts = energyAttempts
    }

    /// The counters one attempt adds: GPU-seconds are left to the caller, which counts them for the daily quota.
    public init(attempt: AttemptUsage, finishedJob: Bool) {
        self.init(
            jobs: finishedJob ? 1 : 0, cpuSeconds: attempt.cpuSeconds, cost: attempt.cost ?? 0,
            pricedAttempts: attempt.cost == nil ? 0 : 1, energyJoules: attempt.energyJoules ?? 0,
            energyAttempts: attempt.energyJoules == nil ? 0 : 1)
    }

    /// Both counters added up.
    public static func + (lhs: TenantUsage, rhs: TenantUsage) -> TenantUsage {
        TenantUsage(
            uploadBytes: lhs.uploadBytes + rhs.uploadBytes, gpuSeconds: lhs.gpuSeconds + rhs.gpuSeconds,
            jobs: lhs.jobs + rhs.jobs, cpuSeconds: lhs.cpuSeconds + rhs.cpuSeconds, cost: lhs.cost + rhs.cost,
            pricedAttempts: lhs.pricedAttempts + rhs.pricedAttempts, energyJoules: lhs.energyJoules + rhs.energyJoules,
            energyAttempts: lhs.energyAttempts + rhs.energyAttempts)
    }

    /// The UTC day a usage counter belongs to, as `2026-11-29`.
    public static func day(of date: Date) -> String {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date(timeIntervalSince1970: Double(days) * 86_400))
    }
}
