import Logging
import Synchronization

/// A warning logged when it first appears and when it changes, not on every request that finds it again.
final class OnceLogged: Sendable {
    private let last = Mutex<String?>(nil)

    func report(_ message: String, logger: Logger) {
        let changed = last.withLock { last -> Bool in
            defer { last = message }
            return last != message
        }
        if changed { logger.warning("\(message)") }
    }
}
