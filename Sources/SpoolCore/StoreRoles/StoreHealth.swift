/// Whether the store answers (for `/ready`).
public protocol StoreHealth: Sendable {
    func ping() async throws
}
