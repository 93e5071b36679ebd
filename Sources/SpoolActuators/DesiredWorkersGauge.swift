import Synchronization

/// An actuator that only keeps count: it publishes how many workers each pool should have and leaves starting and
/// stopping them to something else (an HPA or KEDA following the `spool_pool_desired_workers` metric, or an
/// operator). Scale-in lowers the count; which worker leaves is up to whoever follows it.
public final class DesiredWorkersGauge: ScalingActuator {
    public let name = "gauge"
    private let desired = Mutex<[String: Int]>([:])

    public init() {}

    public func workerCount(pool: String) async throws(ActuatorError) -> Int {
        desired.withLock { $0[pool] ?? 0 }
    }

    public func scaleUp(pool: String, by count: Int) async throws(ActuatorError) {
        desired.withLock { $0[pool, default: 0] += max(count, 0) }
    }

    public func drain(pool: String, workers: [WorkerAddress]) async throws(ActuatorError) {
        desired.withLock { $0[pool] = max(($0[pool] ?? 0) - workers.count, 0) }
    }

    public func releaseAll(pool: String) async throws(ActuatorError) {
        desired.withLock { $0[pool] = 0 }
    }

    public func controls(_ worker: WorkerAddress, pool: String) -> Bool { true }

    /// Starts from what is running, so a restarted manager does not publish zero for a busy pool.
    public func adopt(pool: String, workers: Int) {
        desired.withLock { if $0[pool] == nil { $0[pool] = workers } }
    }
}
