/// What carries out an autoscaling decision: starts workers in a pool, or asks chosen ones to drain and leave.
/// Implementations: a supervisor of local `spool worker` processes (the embedded default), the Kubernetes scale
/// subresource, and a desired-workers gauge that an external autoscaler (HPA, KEDA) follows.
public protocol ScalingActuator: Sendable {
    /// Names the actuator in decisions and logs: "local", "kubernetes", "gauge".
    var name: String { get }
    /// Workers of `pool` this actuator has asked for and not yet released (booting ones included).
    func workerCount(pool: String) async throws(ActuatorError) -> Int
    /// Starts `count` more workers in `pool`.
    func scaleUp(pool: String, by count: Int) async throws(ActuatorError)
    /// Asks these workers of `pool` to drain (finish or hand back their jobs) and exit.
    func drain(pool: String, workers: [WorkerAddress]) async throws(ActuatorError)
    /// Releases every worker of `pool` it runs, booting ones included: the end of a drained or destroyed pool.
    func releaseAll(pool: String) async throws(ActuatorError)
    /// Whether `drain` can stop this worker; the autoscaler only ever picks such workers.
    func controls(_ worker: WorkerAddress, pool: String) -> Bool
    /// The process that owns this actuator is stopping. Workers that die with it (local processes) are drained
    /// and waited for; workers that outlive it (a Deployment) are left alone.
    func ownerStopping(grace: Duration) async
}

extension ScalingActuator {
    public func ownerStopping(grace: Duration) async {}
}

/// Where a registered worker runs: its host (a pod's name under Kubernetes) and process ID.
public struct WorkerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var pid: Int32

    public init(host: String, pid: Int32) {
        self.host = host
        self.pid = pid
    }

    public var description: String { "\(host):\(pid)" }
}

public struct ActuatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
