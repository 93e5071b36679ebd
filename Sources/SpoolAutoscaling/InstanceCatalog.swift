/// The instance types a pool may add, and the choice of the cheapest one per job slot.
public struct InstanceCatalog: Sendable, Codable, Equatable {
    public var types: [InstanceType]

    public init(_ types: [InstanceType]) {
        self.types = types
    }

    /// The instance type with the lowest hourly price per job slot; when `spot` is asked, only types that offer
    /// spot qualify, so the caller can fall back to on-demand when none does. Ties go to the catalog order.
    public func cheapestPerSlot(spot: Bool) -> InstanceType? {
        let candidates = spot ? types.filter { $0.spotPricePerHour != nil } : types
        return candidates.enumerated().min { lhs, rhs in
            let left = lhs.element.hourlyPrice(spot: spot) / Double(max(lhs.element.jobSlots, 1))
            let right = rhs.element.hourlyPrice(spot: spot) / Double(max(rhs.element.jobSlots, 1))
            return left != right ? left < right : lhs.offset < rhs.offset
        }?.element
    }

    private enum CodingKeys: String, CodingKey {
        case types
    }
}
