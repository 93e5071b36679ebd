import Synchronization

/// Whether this process may place jobs, and under which fencing token. A manager sets it as its leader lease comes
/// and goes; the embedded server leads alone.
public final class Leadership: Sendable {
    private let token: Mutex<Int?>

    public init(token: Int? = nil) {
        self.token = Mutex(token)
    }

    /// The embedded default: one process, always leading.
    public static func alone() -> Leadership { Leadership(token: 1) }

    public var current: Int? { token.withLock { $0 } }

    public func update(_ token: Int?) { self.token.withLock { $0 = token } }
}
