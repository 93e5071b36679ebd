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
    /// A new job: the queued-jobs quota and the GPU-seconds budget of the day.
    public static func submission(limits: TenantLimits, counts: [JobState: Int], usage: TenantUsage)
        -> QuotaViolation?
    {
        if let maxQueued = limits.maxQueued, (counts[.queued] ?? 0) >= maxQueued {
            return QuotaViolation(
                quota: "max_queued", limit: Double(maxQueued), current: Double(counts[.queued] ?? 0), hard: false)
        }
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
