import SpoolCore

extension InstanceCatalog {
    /// What a worker's capacity costs: an explicit hourly price wins (`--price-per-hour`), else the catalog's price
    /// for the instance type and capacity type (the spot price on spot, falling back to on-demand where the type
    /// offers no spot price), else the price stays unknown. Nil when the worker was told nothing at all.
    public func capacityPrice(
        instanceType: String?, capacityType: CapacityType, explicitPricePerHour: Double?
    ) -> CapacityPrice? {
        let entry = instanceType.flatMap { name in types.first { $0.name == name } }
        guard instanceType != nil || explicitPricePerHour != nil else { return nil }
        return CapacityPrice(
            instanceType: instanceType, capacityType: capacityType,
            pricePerHour: explicitPricePerHour ?? entry?.hourlyPrice(spot: capacityType == .spot),
            watts: entry?.watts)
    }
}
