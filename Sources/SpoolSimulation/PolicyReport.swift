/// What one policy did with the workload.
public struct PolicyReport: Sendable, Codable, Equatable {
    public var policy: String
    public var sharing: GPUSharing
    public var jobsArrived: Int
    public var jobsCompleted: Int
    /// Jobs still queued or running when the run stopped (the drain allowance ran out).
    public var jobsUnfinished: Int
    /// Attempts that failed in an outage and came back as retries.
    public var failedAttempts: Int
    /// Jobs sent back to the queue because their spot worker was taken away.
    public var requeuedBySpot: Int
    /// Waits of every placement, retries and requeues included (each counted from when it re-entered the queue).
    public var queueWait: WaitPercentiles
    /// The same waits per service class.
    public var waitsByClass: ClassWaits
    public var sloViolations: SLOViolations
    /// GPU time with at least one job running ÷ GPU time paid for (booting included).
    public var utilisation: Double
    public var gpuHours: Double
    /// The share of those GPU-hours bought as spot capacity.
    public var spotShare: Double
    public var cost: Double
    /// Completed jobs per GPU-hour paid for.
    public var jobsPerGPUHour: Double
    /// Autoscaler decisions that changed the fleet (scale-ups and drains).
    public var scaleEvents: Int
    public var spotInterruptions: Int
    /// Running attempts the planner requeued (no failure counted) so a higher class fitted.
    public var preemptions: Int
    /// Waiting jobs the planner degraded under overload (faster encoding of the same outputs).
    public var degradations: Int
    public var peakWorkers: Int
    /// Virtual hours the run lasted.
    public var hours: Double
    public var timeline: [TimelinePoint]
    /// With a fleet over several clouds: what each provider was paid (compute and the egress of inputs that left
    /// it); `cost` is their sum. Nil for one pool.
    public var providers: [ProviderCost]? = nil

    private enum CodingKeys: String, CodingKey {
        case policy, sharing, cost, hours, timeline, utilisation, preemptions, degradations
        case jobsArrived = "jobs_arrived"
        case jobsCompleted = "jobs_completed"
        case jobsUnfinished = "jobs_unfinished"
        case failedAttempts = "failed_attempts"
        case requeuedBySpot = "requeued_by_spot"
        case queueWait = "queue_wait"
        case waitsByClass = "waits_by_class"
        case sloViolations = "slo_violations"
        case gpuHours = "gpu_hours"
        case spotShare = "spot_share"
        case jobsPerGPUHour = "jobs_per_gpu_hour"
        case scaleEvents = "scale_events"
        case spotInterruptions = "spot_interruptions"
        case peakWorkers = "peak_workers"
        case providers = "cost_by_provider"
    }
}
