/// One leader among several managers. The fencing token grows with every change of leader, so work a deposed
/// leader still sends can be told apart from the current leader's.
public protocol LeaderElection: Sendable {
    /// Takes the lease if it is free (or renews it if this candidate holds it). Returns the fencing token while
    /// this candidate leads, nil while another does.
    func acquireOrRenew(candidate: String, ttl: Duration) async throws -> Int?
    /// Gives the lease up at once (graceful shutdown), so another candidate need not wait for it to expire.
    func release(candidate: String) async throws
}
