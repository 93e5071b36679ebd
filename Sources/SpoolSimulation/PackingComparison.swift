/// The same workload and autoscaling policy with Spool's session-aware packing and with one job per whole GPU.
public struct PackingComparison: Sendable, Codable, Equatable {
    public struct Side: Sendable, Codable, Equatable {
        public var jobsCompleted: Int
        public var gpuHours: Double
        public var jobsPerGPUHour: Double
        public var peakGPUs: Int
        public var p95WaitSeconds: Double
        public var cost: Double

        init(_ report: PolicyReport, gpusPerWorker: Int) {
            jobsCompleted = report.jobsCompleted
            gpuHours = report.gpuHours
            jobsPerGPUHour = report.jobsPerGPUHour
            peakGPUs = report.peakWorkers * gpusPerWorker
            p95WaitSeconds = report.queueWait.p95Seconds
            cost = report.cost
        }

        private enum CodingKeys: String, CodingKey {
            case cost
            case jobsCompleted = "jobs_completed"
            case gpuHours = "gpu_hours"
            case jobsPerGPUHour = "jobs_per_gpu_hour"
            case peakGPUs = "peak_gpus"
            case p95WaitSeconds = "p95_wait_seconds"
        }
    }

    public var policy: String
    public var sessionAware: Side
    public var wholeGPU: Side
    /// Session-aware jobs per GPU-hour ÷ whole-GPU jobs per GPU-hour.
    public var ratio: Double

    init(policy: String, sessionAware: PolicyReport, wholeGPU: PolicyReport, gpusPerWorker: Int) {
        self.policy = policy
        self.sessionAware = Side(sessionAware, gpusPerWorker: gpusPerWorker)
        self.wholeGPU = Side(wholeGPU, gpusPerWorker: gpusPerWorker)
        ratio = wholeGPU.jobsPerGPUHour > 0 ? sessionAware.jobsPerGPUHour / wholeGPU.jobsPerGPUHour : 0
    }

    private enum CodingKeys: String, CodingKey {
        case policy, ratio
        case sessionAware = "session_aware"
        case wholeGPU = "whole_gpu"
    }
}
