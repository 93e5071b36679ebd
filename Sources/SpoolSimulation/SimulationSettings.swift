import SpoolAutoscaling
import SpoolDispatch
import SpoolScheduling

/// How the simulation steps and what it compares.
public struct SimulationSettings: Sendable, Equatable {
    /// Seeds spot interruptions and retry jitter; the workload has its own seed.
    public var seed: UInt64
    /// Virtual seconds per step: arrivals, one placement pass, completions and one autoscaler evaluation each.
    public var tickSeconds: Double
    /// Width of one point of the report's time series.
    public var timelineBucketSeconds: Double
    public var sloTargets: SLOTargets
    /// Best fit by default: it keeps the fleet dense, so idle workers appear and scale-in can drain them.
    public var schedulingProfile: SchedulingProfile
    /// After the last arrival the run continues until the queue is empty, at most this long.
    public var drainAllowanceSeconds: Double
    /// What one job-second of waiting is worth avoiding, for the cost-aware policy.
    public var waitValuePerJobSecond: Double
    /// HPA behaviour shared by every autoscaled policy.
    public var stabilization: StabilizationWindows
    public var rates: ScalingRates
    /// Forecast sampling: intervals of this length, a season of this many (a day of 15-minute intervals).
    public var forecastIntervalSeconds: Double
    public var forecastSeasonLength: Int
    /// Whether to rerun the HPA policy with one job per whole GPU and compare throughput per GPU.
    public var comparePacking: Bool
    /// Classes, fair sharing, preemption and degradation, exactly as the placement service is configured.
    public var dispatch: DispatchConfiguration
    /// How long the cost-aware policy lets batch work wait for a forecast trough past its deferral; nil: not at all.
    public var batchTroughWaitSeconds: Double?

    /// How long the cost-aware policy defers batch work for capacity already paid for: half the batch SLO.
    public var batchDeferralSeconds: Double { sloTargets.batchSeconds / 2 }

    public init(
        seed: UInt64 = 1, tickSeconds: Double = 15, timelineBucketSeconds: Double = 300,
        sloTargets: SLOTargets = SLOTargets(), schedulingProfile: SchedulingProfile = .bestFit,
        drainAllowanceSeconds: Double = 6 * 3_600, waitValuePerJobSecond: Double = 0.002,
        stabilization: StabilizationWindows = StabilizationWindows(),
        rates: ScalingRates = ScalingRates(), forecastIntervalSeconds: Double = 900, forecastSeasonLength: Int = 96,
        comparePacking: Bool = true, dispatch: DispatchConfiguration = .default, batchTroughWaitSeconds: Double? = nil
    ) {
        self.batchTroughWaitSeconds = batchTroughWaitSeconds
        self.seed = seed
        self.tickSeconds = max(tickSeconds, 1)
        self.timelineBucketSeconds = max(timelineBucketSeconds, self.tickSeconds)
        self.sloTargets = sloTargets
        self.schedulingProfile = schedulingProfile
        self.drainAllowanceSeconds = drainAllowanceSeconds
        self.waitValuePerJobSecond = waitValuePerJobSecond
        self.stabilization = stabilization
        self.rates = rates
        self.forecastIntervalSeconds = forecastIntervalSeconds
        self.forecastSeasonLength = forecastSeasonLength
        self.comparePacking = comparePacking
        self.dispatch = dispatch
    }
}
