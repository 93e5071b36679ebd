import SpoolCore
import Synchronization

/// Whether this process may act for the cluster (place jobs, size pools, keep house), and under which fencing
/// token. `LeaderLease` sets it as the leader lease comes and goes; the embedded server leads alone.
public final class Leadership: Sendable {
    private let token: Mutex<Int?>
    /// Notified whenever the token changes, so periodic work can start at once on taking over.
    public let changes = WorkSignal()

    public init(token: Int? = nil) {
        self.token = Mutex(token)
    }

    /// The embedded default: one process, always leading.
    public static func alone() -> Leadership { Leadership(token: 1) }

    public var current: Int? { token.withLock { $0 } }

    public func update(_ token: Int?) {
        let changed = self.token.withLock { current in
            defer { current = token }
            return current != token
        }
        if changed { changes.notify() }
    }
}
