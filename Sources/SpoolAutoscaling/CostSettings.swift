/// Turns the autoscaler cost-aware: scale-ups must save more wait than the added workers cost.
public struct CostSettings: Sendable, Codable, Equatable {
    public var catalog: InstanceCatalog
    public var serviceClass: ServiceClassValue
    /// How long added workers are assumed to be paid for, and how far ahead saved wait is counted.
    public var horizonSeconds: Double
    /// After a spot interruption, new workers are on-demand for this long.
    public var spotInterruptionBackoffSeconds: Double
    /// Job run time assumed when the signals carry no response time yet.
    public var defaultJobSeconds: Double

    public init(
        catalog: InstanceCatalog, serviceClass: ServiceClassValue, horizonSeconds: Double = 3600,
        spotInterruptionBackoffSeconds: Double = 1800, defaultJobSeconds: Double = 60
    ) {
        self.catalog = catalog
        self.serviceClass = serviceClass
        self.horizonSeconds = horizonSeconds
        self.spotInterruptionBackoffSeconds = spotInterruptionBackoffSeconds
        self.defaultJobSeconds = defaultJobSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case catalog
        case serviceClass = "service_class"
        case horizonSeconds = "horizon_seconds"
        case spotInterruptionBackoffSeconds = "spot_interruption_backoff_seconds"
        case defaultJobSeconds = "default_job_seconds"
    }
}
