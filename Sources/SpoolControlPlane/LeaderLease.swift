import Logging
import Metrics
import ServiceLifecycle
import SpoolCore

/// Holds the leader lease for one candidate: takes or renews it every third of `ttl` (so two missed renewals still
/// leave it held), sets `leadership` to the fencing token while it leads and to nil while another does or the
/// election cannot be reached, and gives the lease up on shutdown so another candidate need not wait it out.
public struct LeaderLease<C: Clock>: Service where C.Duration == Duration {
    let election: any LeaderElection
    let candidate: String
    let ttl: Duration
    let leadership: Leadership
    let clock: C
    let logger: Logger
    let onChange: @Sendable (Int?) -> Void

    public init(
        election: any LeaderElection, candidate: String, ttl: Duration = .seconds(6), leadership: Leadership,
        clock: C, logger: Logger, onChange: @escaping @Sendable (Int?) -> Void = { _ in }
    ) {
        self.election = election
        self.candidate = candidate
        self.ttl = ttl
        self.leadership = leadership
        self.clock = clock
        self.logger = logger
        self.onChange = onChange
    }

    /// How often the lease is renewed: a third of its time to live.
    public var renewal: Duration { ttl / 3 }

    public func run() async throws {
        var token: Int?
        await runPeriodically(every: renewal, clock: clock, logger: logger) {
            token = await renew(previous: token)
            return .wait
        }
        if token != nil {
            try? await election.release(candidate: candidate)
            logger.notice("released the leader lease", metadata: ["candidate": "\(candidate)"])
        }
    }

    /// One renewal; returns the token now held.
    func renew(previous: Int?) async -> Int? {
        let token: Int?
        do {
            token = try await election.acquireOrRenew(candidate: candidate, ttl: ttl)
        } catch {
            // Without the store nobody can prove leadership; stop acting as leader until it answers again.
            logger.warning("leader lease unreachable", metadata: ["error": "\(error)"])
            token = nil
        }
        // 1 while this candidate leads: summed over the managers, the alert for "no leading manager" reads 0.
        Gauge(label: "spool_manager_leading", dimensions: [("candidate", candidate)]).record(token == nil ? 0 : 1)
        if token != previous {
            logger.notice(
                token == nil ? "not leading" : "leading",
                metadata: ["candidate": "\(candidate)", "token": "\(token ?? 0)"])
            leadership.update(token)
            onChange(token)
        }
        return token
    }
}
