import Synchronization

/// Wakes idle workers in this process when work arrives, so a job submitted to an embedded server starts at once
/// instead of at the next poll. Across processes the poll (or the store's own notifications) still applies.
public final class WorkSignal: Sendable {
    private let waiters = Mutex<[UInt64: CheckedContinuation<Void, Never>]>([:])
    private let nextID = Atomic<UInt64>(0)

    public init() {}

    /// Wakes every waiting worker.
    public func notify() {
        let woken = waiters.withLock { waiters in
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        woken.forEach { $0.resume() }
    }

    /// Wakes one waiting worker, if any waits: a baton passed along while there may be more work, so that one piece of
    /// news wakes one claimer instead of every slot at once (which all ask the store, and all but one find nothing).
    public func notifyOne() {
        let woken = waiters.withLock { waiters in
            waiters.first.map { waiters.removeValue(forKey: $0.key) } ?? nil
        }
        woken?.resume()
    }

    /// How many wait now (for tests).
    var waiting: Int { waiters.withLock { $0.count } }

    /// Waits until `notify()`; returns at once when the task is cancelled (callers race it against a poll timer).
    public func wait() async {
        let id = nextID.add(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = waiters.withLock { waiters -> Bool in
                    if Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = waiters.withLock { $0.removeValue(forKey: id) }
            continuation?.resume()
        }
    }
}
