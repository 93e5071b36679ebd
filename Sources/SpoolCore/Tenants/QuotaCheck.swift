/// Which quota a submission or an upload would break, if any. Pure: the caller reads the counts.
public struct QuotaViolation: Sendable, Equatable, CustomStringConvertible {
    public var quota: String
    public var limit: Double
    public var current: Double
    /// Hard limits (403) do not pass by waiting; the others (429) do.
    public var hard: Bool

    public var description: String {
        let number = { (value: Double) in value == value.rounded() ? "\(Int(value))" : "\(value)" }
        return "\(quota) is \(number(limit)); the tenant is at \(number(current))"
    }
}

public enum QuotaCheck {
    /// A new job over the queued-jobs quota, with the tenant at `queued` jobs queued. Stores raise it from inside
    /// the write that would have created the job (`JobStore.submit(_:maxQueued:now:)`).
    public static func queued(maxQueued: Int, queued: Int) -> QuotaViolation {
        QuotaViolation(quota: "max_queued", limit: Double(maxQueued), current: Double(queued), hard: false)
    }

    /// A new job: the GPU-seconds budget of the day. The queued-jobs quota is not checked here: it is a count of
    /// jobs, which only the store's submit can check atomically.
    public static func submission(limits: TenantLimits, usage: TenantUsage) -> QuotaViolation? {
        if let budget = limits.gpuSecondsPerDay, usage.gpuSeconds >= budget {
            return QuotaViolation(quota: "gpu_seconds_per_day", limit: budget, current: usage.gpuSeconds, hard: false)
        }
        return nil
    }

    /// An upload of `bytes` more (the declared length, or what has streamed so far).
    public static func upload(limits: TenantLimits, usage: TenantUsage, adding bytes: Int64) -> QuotaViolation? {
        guard let budget = limits.uploadBytesPerDay, usage.uploadBytes + bytes > budget else { return nil }
        return QuotaViolation(
            quota: "upload_bytes_per_day", limit: Double(budget), current: Double(usage.uploadBytes + bytes), hard: true
        )
    }
}
