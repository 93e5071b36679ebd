import SpoolCore

extension WorkerSettings {
    /// The capacity variables over the flags: `SPOOL_INSTANCE_TYPE`, `SPOOL_CAPACITY_TYPE`, `SPOOL_PRICE_PER_HOUR`,
    /// `SPOOL_INSTANCE_CATALOG` (a pod learns its node's instance and capacity type this way).
    mutating func applyCapacity(from environment: [String: String]) throws(RuntimeConfigurationError) {
        if let value = environment["SPOOL_INSTANCE_TYPE"], !value.isEmpty { instanceType = value }
        if let text = environment["SPOOL_CAPACITY_TYPE"], !text.isEmpty {
            guard let type = CapacityType(rawValue: text) else {
                throw .badVariable(name: "SPOOL_CAPACITY_TYPE", value: text, expected: "on-demand or spot")
            }
            capacityType = type
        }
        if let text = environment["SPOOL_PRICE_PER_HOUR"], !text.isEmpty {
            guard let price = Double(text), price >= 0, price.isFinite else {
                throw .badVariable(name: "SPOOL_PRICE_PER_HOUR", value: text, expected: "a price of 0 or more")
            }
            pricePerHour = price
        }
        if let value = environment["SPOOL_INSTANCE_CATALOG"], !value.isEmpty { instanceCatalog = value }
    }
}
