/// How a ledger chooses where a new reservation goes.
public enum AllocationStrategy: String, Codable, Sendable, CaseIterable {
    /// The free range with the lowest offset that holds the request.
    case firstFit = "first_fit"
    /// The smallest free range that holds the request, which keeps large ranges whole for large requests.
    case bestFit = "best_fit"
    /// The largest free range, which leaves the biggest possible remainder behind.
    case worstFit = "worst_fit"
    /// Binary buddy blocks: power-of-two multiples of the minimum block, aligned to their size, split on reserve and
    /// merged with their buddy on release.
    case buddy
}
