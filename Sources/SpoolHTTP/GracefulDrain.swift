import Logging
import ServiceLifecycle
import Synchronization

/// Lets a balancer take a gateway out of rotation before it stops: on SIGTERM `/ready` answers 503 at once, the
/// gateway keeps serving for `period` (long enough for the balancer's health checks to notice), and only then does
/// the HTTP server stop, finishing the requests it holds.
public final class GracefulDrain: Sendable {
    private let draining = Mutex(false)

    public init() {}

    public var isDraining: Bool { draining.withLock { $0 } }

    func begin() { draining.withLock { $0 = true } }

    /// The readiness check that fails once draining.
    public var readinessCheck: @Sendable () async -> String? {
        { [self] in isDraining ? "shutting down: finishing in-flight requests" : nil }
    }

    /// A service to list after the HTTP application: the group stops services in reverse order, so this one sees
    /// SIGTERM first and holds the application up for `period`.
    public func service(period: Duration, logger: Logger) -> some Service {
        DrainService(drain: self, period: period, logger: logger)
    }
}

struct DrainService: Service {
    let drain: GracefulDrain
    let period: Duration
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        drain.begin()
        logger.notice("draining: /ready answers 503; serving in-flight and new requests until the balancer notices")
        try? await Task.sleep(for: period)
    }
}
