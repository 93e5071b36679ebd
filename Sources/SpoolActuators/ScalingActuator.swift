import SpoolCore

/// What carries out an autoscaling decision: starts workers in a pool, or asks chosen ones to drain and leave.
/// Implementations: a supervisor of local `spool worker` processes (the embedded default), the Kubernetes scale
/// subresource, and a desired-workers gauge that an external autoscaler (HPA, KEDA) follows.
///
/// A pool that may run spot has two parts, spot and on-demand, sized separately (two Deployments, two worker
/// labels, two gauge series): `capacity` names the part. nil is the pool as one undivided part, the only part of a
/// pool without spot, exactly as before capacity types existed.
public protocol ScalingActuator: Sendable {
    /// Names the actuator in decisions and logs: "local", "kubernetes", "gauge".
    var name: String { get }
    /// Workers of this part of `pool` the actuator has asked for and not yet released (booting ones included).
    func workerCount(pool: String, capacity: CapacityType?) async throws(ActuatorError) -> Int
    /// Starts `count` more workers in this part of `pool`.
    func scaleUp(pool: String, by count: Int, capacity: CapacityType?) async throws(ActuatorError)
    /// Asks these workers of `pool` to drain (finish or hand back their jobs) and exit; each address says its part.
    func drain(pool: String, workers: [WorkerAddress]) async throws(ActuatorError)
    /// Releases every worker of this part of `pool` it runs, booting ones included: the end of a drained or
    /// destroyed pool.
    func releaseAll(pool: String, capacity: CapacityType?) async throws(ActuatorError)
    /// Whether `drain` can stop this worker; the autoscaler only ever picks such workers.
    func controls(_ worker: WorkerAddress, pool: String) -> Bool
    /// The process that owns this actuator is stopping. Workers that die with it (local processes) are drained
    /// and waited for; workers that outlive it (a Deployment) are left alone.
    func ownerStopping(grace: Duration) async
}

extension ScalingActuator {
    public func ownerStopping(grace: Duration) async {}

    /// The workers of an undivided pool.
    public func workerCount(pool: String) async throws(ActuatorError) -> Int {
        try await workerCount(pool: pool, capacity: nil)
    }

    /// Starts workers in an undivided pool.
    public func scaleUp(pool: String, by count: Int) async throws(ActuatorError) {
        try await scaleUp(pool: pool, by: count, capacity: nil)
    }

    /// Releases the workers of an undivided pool.
    public func releaseAll(pool: String) async throws(ActuatorError) {
        try await releaseAll(pool: pool, capacity: nil)
    }

    /// The workers of each of these parts of `pool`, read once each.
    public func workerCounts(pool: String, parts: [CapacityType?]) async throws(ActuatorError) -> [CapacityType?: Int] {
        var counts: [CapacityType?: Int] = [:]
        for part in parts { counts[part] = try await workerCount(pool: pool, capacity: part) }
        return counts
    }
}

/// Where a registered worker runs: its host (a pod's name under Kubernetes) and process ID.
public struct WorkerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    /// The part of its pool it was started in (its registration says so); nil in an undivided pool.
    public var capacity: CapacityType?

    public init(host: String, pid: Int32, capacity: CapacityType? = nil) {
        self.host = host
        self.pid = pid
        self.capacity = capacity
    }

    public var description: String { "\(host):\(pid)" }
}

public struct ActuatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
