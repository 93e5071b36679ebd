/// What carries out an autoscaling decision: starts workers in a pool, or asks chosen ones to drain and leave.
/// Implementations: a supervisor of local `spool worker` processes (the embedded default), the Kubernetes scale
/// subresource, or a published gauge that an external autoscaler follows.
public protocol ScalingActuator: Sendable {
    /// Workers of `pool` this actuator runs (started and not yet exited).
    func workerCount(pool: String) async -> Int
    /// Starts `count` more workers in `pool`.
    func scaleUp(pool: String, by count: Int) async throws(ActuatorError)
    /// Asks the workers with these process IDs to drain (finish or hand back their jobs) and exit.
    func drain(pool: String, pids: [Int32]) async throws(ActuatorError)
}

public struct ActuatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
