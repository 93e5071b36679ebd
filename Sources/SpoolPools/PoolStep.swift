import SpoolCore

/// What the manager does with one pool at one evaluation, from its phase and what runs in it. Pure.
public enum PoolStep: Sendable, Equatable {
    /// An active pool: let the autoscaler decide.
    case autoscale
    /// Nothing to do until running jobs finish.
    case waitForJobs(running: Int)
    /// Ask every worker of the pool to leave (draining pools once idle, destroying pools at once).
    case releaseWorkers
    /// Workers were asked to leave and have not all gone yet.
    case waitForWorkers(remaining: Int)
    /// Empty: move its waiting jobs elsewhere and delete the spec.
    case remove

    /// `workers` are the pool's live workers; `requested` what the actuator still runs or has asked for;
    /// `released` whether the workers were already asked to leave.
    public static func next(for pool: PoolSpec, workers: [WorkerRecord], requested: Int, released: Bool) -> PoolStep {
        switch pool.phase {
        case .active:
            return .autoscale
        case .draining:
            let running = workers.reduce(0) { $0 + $1.running.count }
            if running > 0 { return .waitForJobs(running: running) }
        case .destroying:
            break
        }
        let remaining = max(workers.count, requested)
        if remaining == 0 { return .remove }
        return released ? .waitForWorkers(remaining: remaining) : .releaseWorkers
    }
}
