/// What the capacity a worker runs on costs, as the worker learned it when it started: its instance type and
/// capacity type from flags, the hourly price from the instance catalog (or an explicit `--price-per-hour`). A nil
/// price means nobody said it, and the costs of this worker's attempts stay unknown rather than invented.
public struct CapacityPrice: Codable, Sendable, Equatable {
    /// Prices in catalogs and flags are taken to be in this currency; the API reports it beside every cost.
    public static let currency = "USD"

    public var instanceType: String?
    public var capacityType: CapacityType
    /// The hourly price of the whole instance.
    public var pricePerHour: Double?
    /// The instance's power draw from the catalog, for energy where the device reports none (a CPU, a GPU whose
    /// nvidia-smi says `[N/A]`).
    public var watts: Double?

    public init(
        instanceType: String? = nil, capacityType: CapacityType = .onDemand, pricePerHour: Double? = nil,
        watts: Double? = nil
    ) {
        self.instanceType = instanceType
        self.capacityType = capacityType
        self.pricePerHour = pricePerHour
        self.watts = watts
    }

    enum CodingKeys: String, CodingKey {
        case watts
        case instanceType = "instance_type"
        case capacityType = "capacity_type"
        case pricePerHour = "price_per_hour"
    }
}
