import SpoolCore

/// A tenant's usage per UTC day (`GET /v1/tenants/{id}/usage`): jobs, GPU- and CPU-seconds, cost and energy.
/// Days without any usage are left out; `total` sums the days shown.
public struct TenantUsageView: Codable, Sendable, Equatable {
    /// One day's figures (or the total, without a date).
    public struct Figures: Codable, Sendable, Equatable {
        /// `YYYY-MM-DD`; nil on the total.
        public var date: String?
        /// Jobs whose last attempt ended that day.
        public var jobs: Int
        public var gpuSeconds: Double
        public var cpuSeconds: Double
        /// The priced attempts' cost; nil when no attempt of the day had a known price.
        public var cost: Double?
        /// Nil when no attempt of the day had a known energy.
        public var energyJoules: Double?
        public var uploadBytes: Int64

        public init(date: String?, _ usage: TenantUsage) {
            self.date = date
            jobs = usage.jobs
            gpuSeconds = usage.gpuSeconds
            cpuSeconds = usage.cpuSeconds
            cost = usage.pricedAttempts > 0 ? usage.cost : nil
            energyJoules = usage.energyAttempts > 0 ? usage.energyJoules : nil
            uploadBytes = usage.uploadBytes
        }

        /// Nullable fields are written as null, so every day has the same keys.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(date, forKey: .date)
            try c.encode(jobs, forKey: .jobs)
            try c.encode(gpuSeconds, forKey: .gpuSeconds)
            try c.encode(cpuSeconds, forKey: .cpuSeconds)
            try c.encode(cost, forKey: .cost)
            try c.encode(energyJoules, forKey: .energyJoules)
            try c.encode(uploadBytes, forKey: .uploadBytes)
        }

        enum CodingKeys: String, CodingKey {
            case date, jobs, cost
            case gpuSeconds = "gpu_seconds"
            case cpuSeconds = "cpu_seconds"
            case energyJoules = "energy_joules"
            case uploadBytes = "upload_bytes"
        }
    }

    public var tenant: TenantID
    public var from: String
    public var to: String
    public var currency: String
    public var days: [Figures]
    public var total: Figures

    /// - Parameter usage: the counters of the days in `range` that have any.
    public init(tenant: TenantID, range: UsageRange, usage: [String: TenantUsage]) {
        self.tenant = tenant
        from = range.from
        to = range.to
        currency = CapacityPrice.currency
        let shown = range.days.compactMap { day in usage[day].map { (day, $0) } }
        days = shown.map { Figures(date: $0.0, $0.1) }
        total = Figures(date: nil, shown.reduce(TenantUsage()) { $0 + $1.1 })
    }
}
