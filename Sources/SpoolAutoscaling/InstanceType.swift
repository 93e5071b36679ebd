/// A kind of machine the pool can add, as configured in the catalog.
public struct InstanceType: Sendable, Codable, Equatable {
    public var name: String
    public var pricePerHour: Double
    /// Nil when the provider offers no spot capacity for this type.
    public var spotPricePerHour: Double?
    public var bootSeconds: Double
    public var gpusPerInstance: Int
    /// Jobs (or encoder sessions) one instance runs at once.
    public var jobSlots: Int
    /// How often the provider takes back one spot instance of this type, per instance-hour, as its advisor
    /// publishes it; nil when unknown. Interruptions at about this rate are the price of spot and do not make the
    /// pool leave it; many more within the backoff do (see `CostJudgement`).
    public var spotInterruptionsPerHour: Double?
    /// The cloud that sells this type at these prices ("aws", "gcp", …); nil for a catalog of one cloud. A pool
    /// with a provider prices itself from its provider's entries.
    public var provider: String?
    /// The instance's typical power draw, for the energy of jobs whose device reports none; nil when not known.
    public var watts: Double?

    public init(
        name: String, pricePerHour: Double, spotPricePerHour: Double? = nil, bootSeconds: Double,
        gpusPerInstance: Int = 0, jobSlots: Int = 1, spotInterruptionsPerHour: Double? = nil, provider: String? = nil,
        watts: Double? = nil
    ) {
        self.provider = provider
        self.spotInterruptionsPerHour = spotInterruptionsPerHour
        self.watts = watts
        self.name = name
        self.pricePerHour = pricePerHour
        self.spotPricePerHour = spotPricePerHour
        self.bootSeconds = bootSeconds
        self.gpusPerInstance = gpusPerInstance
        self.jobSlots = jobSlots
    }

    /// The hourly price actually paid, given whether spot is used and offered.
    public func hourlyPrice(spot: Bool) -> Double {
        spot ? (spotPricePerHour ?? pricePerHour) : pricePerHour
    }

    private enum CodingKeys: String, CodingKey {
        case name, watts
        case pricePerHour = "price_per_hour"
        case spotPricePerHour = "spot_price_per_hour"
        case bootSeconds = "boot_seconds"
        case gpusPerInstance = "gpus_per_instance"
        case jobSlots = "job_slots"
        case spotInterruptionsPerHour = "spot_interruptions_per_hour"
        case provider
    }
}
