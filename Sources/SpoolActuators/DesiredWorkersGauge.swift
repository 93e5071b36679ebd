import SpoolCore
import Synchronization

/// An actuator that only keeps count: it publishes how many workers each pool should have and leaves starting and
/// stopping them to something else (an HPA or KEDA following the `spool_pool_desired_workers` metric, or an
/// operator). Scale-in lowers the count; which worker leaves is up to whoever follows it. A pool with a spot part
/// has one count per capacity type, so a spot and an on-demand Deployment can each follow their own series.
public final class DesiredWorkersGauge: ScalingActuator {
    public let name = "gauge"
    private let desired = Mutex<[Key: Int]>([:])

    struct Key: Hashable {
        var pool: String
        var capacity: CapacityType?
    }

    public init() {}

    /// nil reads the whole pool, so an undivided pool and the sum of a divided one read the same.
    public func workerCount(pool: String, capacity: CapacityType?) async throws(ActuatorError) -> Int {
        desired.withLock { desired in
            capacity.map { desired[Key(pool: pool, capacity: $0)] ?? 0 }
                ?? desired.filter { $0.key.pool == pool }.values.reduce(0, +)
        }
    }

    public func scaleUp(pool: String, by count: Int, capacity: CapacityType?) async throws(ActuatorError) {
        desired.withLock { $0[Key(pool: pool, capacity: capacity), default: 0] += max(count, 0) }
    }

    public func drain(pool: String, workers: [WorkerAddress]) async throws(ActuatorError) {
        desired.withLock { desired in
            for worker in workers {
                let key = Key(pool: pool, capacity: worker.capacity)
                desired[key] = max((desired[key] ?? 0) - 1, 0)
            }
        }
    }

    /// nil releases every part of the pool.
    public func releaseAll(pool: String, capacity: CapacityType?) async throws(ActuatorError) {
        desired.withLock { desired in
            for key in desired.keys where key.pool == pool && (capacity == nil || key.capacity == capacity) {
                desired[key] = 0
            }
        }
    }

    public func controls(_ worker: WorkerAddress, pool: String) -> Bool { true }

    /// Starts from what is running, so a restarted manager does not publish zero for a busy pool.
    public func adopt(pool: String, workers: Int, capacity: CapacityType? = nil) {
        desired.withLock {
            if $0[Key(pool: pool, capacity: capacity)] == nil { $0[Key(pool: pool, capacity: capacity)] = workers }
        }
    }
}
