import Foundation
import SpoolCore

/// A job as the API shows it: flat, with outputs that say where to fetch them.
public struct JobView: Codable, Sendable, Equatable {
    public struct Output: Codable, Sendable, Equatable {
        public var name: String
        public var kind: OutputKind
        /// Where the file lies on the shared data volume.
        public var uri: String
        /// Where to download it over HTTP.
        public var url: String
        public var files: [String]
        public var codec: String?
        public var width: Int?
        public var height: Int?
        public var durationSeconds: Double?
        public var sizeBytes: Int64
        public var ssim: Double?

        enum CodingKeys: String, CodingKey {
            case name, kind, uri, url, files, codec, width, height, ssim
            case durationSeconds = "duration_seconds"
            case sizeBytes = "size_bytes"
        }
    }

    public var id: JobID
    public var tenant: TenantID
    public var state: JobState
    public var progress: Double
    public var fps: Double?
    public var speed: Double?
    public var priority: Int
    public var serviceClass: ServiceClass
    public var input: String
    public var preset: String?
    public var pool: String?
    public var worker: WorkerID?
    public var attempts: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var retryAt: Date?
    public var error: JobError?
    public var metadata: [String: String]
    public var requestedOutputs: [OutputSpec]
    public var outputs: [Output]
    public var acceleration: Acceleration
    /// Where the scheduler put it and what it reserved there; details at /v1/jobs/{id}/placement.
    public var placement: JobPlacement?
    public var evictions: Int
    /// Whether overload may change how it is made (`allow`/`forbid`); it never changes the outputs.
    public var degradation: DegradationConsent
    /// Why overload changed how it is made (another pool, a faster encoder setting), oldest first.
    public var degradations: [String]
    /// The encoder effort its outputs get: `standard`, or `faster` after a degradation.
    public var encoderSpeed: EncoderSpeed
    /// True when the outputs were reused from an earlier job with the same input bytes and outputs.
    public var deduplicated: Bool
    public var deduplicatedFrom: JobID?
    /// Where the end of the job is announced; delivery status at /v1/jobs/{id}/webhook.
    public var callbackURL: String?
    /// Days the finished job and its files are kept (fixed at submission).
    public var retainDays: Double
    /// When the finished job, its outputs and its upload are deleted; absent until it finishes.
    public var expiresAt: Date?
    /// How the job asked to be split into segments encoded in parallel.
    public var segmenting: SegmentingRequest?
    /// Its segments once planned (with each task's state on `GET /v1/jobs/{id}`), or why it was encoded whole.
    public var segments: SegmentsView?
    /// For a segment task (an internal job): the job it is part of.
    public var parentJob: JobID?
    /// GPU- and CPU-seconds by device, cost and energy, summed over every attempt (a retried job paid for each); nil
    /// until an attempt has ended.
    public var usage: JobUsage?

    public init(_ job: Job, layout: DataLayout) {
        id = job.id
        tenant = job.spec.tenant
        state = job.state
        progress = job.state == .succeeded ? 1 : (job.progress?.fraction ?? 0)
        fps = job.state == .running ? job.progress?.fps : nil
        speed = job.state == .running ? job.progress?.speed : nil
        priority = job.spec.priority
        serviceClass = job.spec.serviceClass
        input = job.spec.input.description
        preset = job.spec.preset
        pool = job.pool ?? job.spec.pool
        worker = job.worker
        attempts = job.attempt
        createdAt = job.createdAt
        updatedAt = job.updatedAt
        startedAt = job.startedAt
        finishedAt = job.finishedAt
        retryAt = job.state == .queued && job.failures > 0 ? job.notBefore : nil
        error = job.error
        metadata = job.spec.metadata
        requestedOutputs = job.spec.outputs
        acceleration = job.spec.acceleration
        placement = job.placement
        evictions = job.evictions
        degradation = job.spec.degradation
        degradations = job.degradations
        encoderSpeed = job.encoderSpeed
        deduplicated = job.deduplicatedFrom != nil
        deduplicatedFrom = job.deduplicatedFrom
        retainDays = job.spec.retention.days
        expiresAt = job.expiresAt
        callbackURL = job.spec.callbackURL
        segmenting = job.spec.segment == nil ? job.spec.segmenting : nil
        segments = job.segmentation.map { SegmentsView($0, outputs: job.spec.outputs) }
        parentJob = job.spec.segment?.parent
        usage = job.usage
        outputs = job.outputs.map { result in
            Output(
                name: result.name, kind: result.kind,
                uri: layout.outputURI(job.id, attempt: job.attempt, path: result.path),
                url: "/v1/jobs/\(job.id.rawValue)/outputs/\(result.name)", files: result.files, codec: result.codec,
                width: result.width, height: result.height, durationSeconds: result.durationSeconds,
                sizeBytes: result.sizeBytes, ssim: result.ssim)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, state, progress, fps, speed, priority, input, preset, pool, worker, attempts, error, metadata
        case outputs, acceleration, placement, evictions, degradation, degradations, deduplicated
        case encoderSpeed = "encoder_speed"
        case deduplicatedFrom = "deduplicated_from"
        case callbackURL = "callback_url"
        case serviceClass = "service_class"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case retryAt = "retry_at"
        case requestedOutputs = "requested_outputs"
        case retainDays = "retain_days"
        case expiresAt = "expires_at"
        case segmenting, segments, usage
        case parentJob = "parent_job"
    }

    /// Fills in each task's state and adds the tasks' progress up while the job waits for them, and their usage to
    /// the job's: a segmented job cost what its own attempts and all its tasks' cost.
    public mutating func show(tasks: [JobID: Job], of job: Job) {
        guard let segmentation = job.segmentation, segmentation.isSplit else { return }
        segments = SegmentsView(segmentation, outputs: job.spec.outputs, tasks: tasks)
        let taskUsage = segmentation.tasks.compactMap { tasks[$0.job]?.usage }
        if !taskUsage.isEmpty {
            usage = taskUsage.reduce(job.usage ?? JobUsage()) { $0.merged(with: $1) }
        }
        if !job.state.isTerminal {
            let read = segmentation.tasks.compactMap { tasks[$0.job] }
            progress = max(progress, SegmentProgress.fraction(of: read))
        }
    }
}
