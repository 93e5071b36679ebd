/// Everything configurable about how one pool scales.
public struct AutoscalerPolicy: Sendable, Codable, Equatable {
    public var minWorkers: Int
    public var maxWorkers: Int
    /// Jobs (waiting plus running) one worker should carry.
    public var targetBacklogPerWorker: Double
    /// No change while the backlog ratio is within this fraction of 1, as HPA's tolerance.
    public var tolerance: Double
    /// Scale up when the oldest waiting job waited longer than this, even within tolerance.
    public var targetWaitSeconds: Double
    public var stabilization: StabilizationWindows
    public var rates: ScalingRates
    /// After a scale-up, scale-down waits this long so the new workers get a chance to take work.
    public var cooldownSeconds: Double
    public var predictive: PredictiveSettings?
    public var cost: CostSettings?
    /// Batch in cheap hours: while the oldest waiting batch job has waited less than this, waiting batch jobs are
    /// left out of the backlog, so they run on capacity already paid for (the slack under the target, the trough)
    /// instead of buying more. Once it is reached they count again and the pool grows for them, so a deferral
    /// shorter than the batch SLO less a boot keeps them within it. Nil: batch work counts like any other.
    public var batchDeferralSeconds: Double?
    /// Batch work planned into troughs: past its deferral, waiting batch work still waits while the forecast (one
    /// worth following) shows an interval, before the oldest batch job has waited this long, whose load leaves room
    /// for it in the job slots the pool has. Keep it under the batch SLO less a boot. Nil: batch counts once deferred.
    public var batchTroughWaitSeconds: Double?

    public init(
        minWorkers: Int = 0, maxWorkers: Int, targetBacklogPerWorker: Double, tolerance: Double = 0.1,
        targetWaitSeconds: Double = 60, stabilization: StabilizationWindows = StabilizationWindows(),
        rates: ScalingRates = ScalingRates(), cooldownSeconds: Double = 60, predictive: PredictiveSettings? = nil,
        cost: CostSettings? = nil, batchDeferralSeconds: Double? = nil, batchTroughWaitSeconds: Double? = nil
    ) {
        self.batchTroughWaitSeconds = batchTroughWaitSeconds
        self.batchDeferralSeconds = batchDeferralSeconds
        self.minWorkers = minWorkers
        self.maxWorkers = max(maxWorkers, minWorkers)
        self.targetBacklogPerWorker = targetBacklogPerWorker
        self.tolerance = tolerance
        self.targetWaitSeconds = targetWaitSeconds
        self.stabilization = stabilization
        self.rates = rates
        self.cooldownSeconds = cooldownSeconds
        self.predictive = predictive
        self.cost = cost
    }

    private enum CodingKeys: String, CodingKey {
        case minWorkers = "min_workers"
        case maxWorkers = "max_workers"
        case targetBacklogPerWorker = "target_backlog_per_worker"
        case tolerance
        case targetWaitSeconds = "target_wait_seconds"
        case stabilization, rates
        case cooldownSeconds = "cooldown_seconds"
        case predictive, cost
        case batchDeferralSeconds = "batch_deferral_seconds"
        case batchTroughWaitSeconds = "batch_trough_wait_seconds"
    }
}
