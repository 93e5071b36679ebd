import Synchronization

/// Wakes idle workers in this process when work arrives, so a job submitted to an embedded server starts at once
/// instead of at the next poll. Across processes the poll (or the store's own notifications) still applies.
public final class WorkSignal: Sendable {
    private let state = Mutex(Waiters())
    private let nextID = Atomic<UInt64>(0)

    private struct Waiters {
        var continuations: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// A `notify()` came while nobody waited: the next wait returns at once.
        var missed = false
    }

    public init() {}

    /// Wakes every waiting worker. When nobody waits (each is busy with the last piece of news), the next wait returns
    /// at once: news that comes while a loop works is not lost until its next poll. A scheduler cycle that runs
    /// while a slot frees would otherwise sleep its whole interval with that slot idle.
    public func notify() {
        let woken = state.withLock { state in
            if state.continuations.isEmpty { state.missed = true }
            defer { state.continuations.removeAll() }
            return Array(state.continuations.values)
        }
        woken.forEach { $0.resume() }
    }

    /// Wakes one waiting worker, if any waits: a baton passed along while there may be more work, so that one piece of
    /// news wakes one claimer instead of every slot at once (which all ask the store, and all but one find nothing).
    /// Unlike `notify()`, a baton nobody takes is dropped: every slot is busy, and each asks the store again before
    /// it waits.
    public func notifyOne() {
        let woken = state.withLock { state in
            state.continuations.first.map { state.continuations.removeValue(forKey: $0.key) } ?? nil
        }
        woken?.resume()
    }

    /// How many wait now (for tests).
    var waiting: Int { state.withLock { $0.continuations.count } }

    /// Waits until `notify()` (at once when one came while nobody waited); returns at once when the task is cancelled
    /// (callers race it against a poll timer).
    public func wait() async {
        let id = nextID.add(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    if state.missed {
                        state.missed = false
                        return true
                    }
                    state.continuations[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { $0.continuations.removeValue(forKey: id) }
            continuation?.resume()
        }
    }
}
