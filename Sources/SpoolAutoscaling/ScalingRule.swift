/// The rules that can shape a decision, named in its reasons so an operator can tell why the pool did (not) change.
public enum ScalingRule: String, Sendable, Codable, CaseIterable {
    /// Backlog per worker against its target: the HPA formula.
    case backlogRatio = "backlog_ratio"
    /// The backlog ratio was within tolerance of the target.
    case tolerance
    /// The oldest waiting job waited beyond its target.
    case oldestWait = "oldest_wait"
    /// The seasonal forecast asked for more workers than the current load.
    case predictive
    /// The forecast asked for more workers, but it has been too far off lately to follow.
    case forecastLowConfidence = "forecast_low_confidence"
    /// Waiting batch jobs were left out of the backlog: they wait for capacity already paid for, within their SLO.
    case batchDeferred = "batch_deferred"
    /// Batch jobs past their deferral still waited: the forecast has a trough with room for them before they must
    /// start.
    case batchTrough = "batch_trough"
    /// A stabilization window held the recommendation back.
    case stabilization
    /// A rate policy limited the step.
    case rateLimit = "rate_limit"
    case minWorkers = "min_workers"
    case maxWorkers = "max_workers"
    /// Scale-in stopped at the number of busy workers.
    case busyFloor = "busy_floor"
    /// Scale-down waited out the cooldown after a scale-up.
    case cooldown
    /// The cost of added workers outweighed the wait they would save.
    case cost
    /// Earlier drains have not finished.
    case drainPending = "drain_pending"
    /// Scale-in wanted fewer workers but there were not enough idle ones to drain.
    case noIdleWorkers = "no_idle_workers"
    /// Spot capacity was avoided because an instance was interrupted recently.
    case spotInterrupted = "spot_interrupted"
}
