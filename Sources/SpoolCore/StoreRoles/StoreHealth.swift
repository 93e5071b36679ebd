/// Whether the store answers (for `/ready`).
public protocol StoreHealth: Sendable {
    func ping() async throws
    /// The store's servers whose circuit breaker is open now (a store without breakers has none).
    func openCircuitBreakers() -> [String]
}

extension StoreHealth {
    public func openCircuitBreakers() -> [String] { [] }
}
