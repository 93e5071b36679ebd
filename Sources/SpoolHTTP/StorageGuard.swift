import CircuitBreaking
import Foundation
import Hummingbird
import Synchronization

/// How the gateway guards the shared file storage (uploads and output downloads).
public struct StorageBreakerSettings: Sendable, Equatable {
    /// Consecutive storage failures that open the breaker.
    public var failures: Int
    /// How long it stays open before one request probes the storage again.
    public var coolDown: Duration

    public init(failures: Int = 5, coolDown: Duration = .seconds(10)) {
        self.failures = max(1, failures)
        self.coolDown = coolDown
    }
}

/// A circuit breaker in front of the shared file storage. When the volume fails (a lost NFS mount, a full disk),
/// requests that need it get a quick 503 with `Retry-After` instead of each waiting on the failing filesystem, and
/// `/ready` says so, so a balancer can send file traffic elsewhere. Only the storage's own errors count; a client's
/// mistake (too large, quota) says nothing about the storage.
final class StorageGuard: Sendable {
    private let breaker: Mutex<CircuitBreaker>
    private let started = ContinuousClock.now

    init(settings: StorageBreakerSettings) {
        breaker = Mutex(CircuitBreaker(failureThreshold: settings.failures, coolDown: settings.coolDown))
    }

    private var now: Duration { ContinuousClock.now - started }

    /// Throws a 503 while the breaker is open; otherwise lets the request use the storage.
    func admit() throws {
        let decision = breaker.withLock { $0.decide(now: now) }
        if case .reject(let retryAfter) = decision {
            let reason = breaker.withLock { $0.lastFailure } ?? "repeated failures"
            var problem = Problem.unavailable(
                "file storage is failing (\(reason)); requests that need it are refused until it recovers")
            problem.retryAfterSeconds = max(1, Int(retryAfter.components.seconds))
            throw problem
        }
    }

    /// Runs one storage operation; its error opens the breaker after enough of them, and is returned as a 503.
    func perform<T>(_ what: String, _ operation: () throws -> T) throws -> T {
        do {
            let value = try operation()
            return value
        } catch {
            failed("\(what): \(error.localizedDescription)")
            throw Problem.unavailable("file storage failed to \(what); try again shortly")
        }
    }

    func perform<T: Sendable>(_ what: String, _ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch {
            failed("\(what): \(error.localizedDescription)")
            throw Problem.unavailable("file storage failed to \(what); try again shortly")
        }
    }

    func succeeded() { breaker.withLock { $0.recordSuccess() } }

    func failed(_ reason: String) { breaker.withLock { $0.recordFailure(now: now, reason: reason) } }

    /// The request ended for a reason of its own (a client error): if it was the probe, let the next one probe.
    func abandoned() { breaker.withLock { $0.recordAbandoned(now: now) } }

    /// For `/ready`: what is wrong, or nil.
    var readiness: String? {
        breaker.withLock { breaker in
            switch breaker.state {
            case .closed: nil
            case .open, .halfOpen: "file storage breaker open: \(breaker.lastFailure ?? "repeated failures")"
            }
        }
    }
}
