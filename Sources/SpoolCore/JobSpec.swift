import Foundation

/// A validated job: what to read, what to make, and who asked. Built only by `JobRequest.validate`.
public struct JobSpec: Codable, Sendable, Equatable {
    /// How long an idempotency key names its job: a retry within it gets the same job, a reuse after it a new one.
    public static let idempotencyWindow: TimeInterval = 24 * 3600

    public var tenant: TenantID
    public var serviceClass: ServiceClass
    public var input: InputSource
    public var outputs: [OutputSpec]
    /// 0 (lowest) … 100 (highest).
    public var priority: Int
    /// The pool the job must run on; nil lets any pool that can serve it take it.
    public var pool: String?
    public var idempotencyKey: String?
    public var metadata: [String: String]
    /// The preset the outputs came from, when one was named.
    public var preset: String?
    /// What hardware the job may run on.
    public var acceleration: Acceleration
    /// Where a signed notification goes when the job ends (`http(s)://`, checked like inputs against internal
    /// addresses).
    public var callbackURL: String?
    /// Whether overload may change how the job is made (never what): another pool, a faster encoder setting.
    public var degradation: DegradationConsent
    /// How long the finished job and its files are kept, fixed at submission.
    public var retention: RetentionPolicy
    /// Whether a long input is split into segments encoded in parallel (never changes what is made).
    public var segmenting: SegmentingRequest
    /// Set on the tasks of a segmented job: what part of the parent this job makes. Such jobs are internal.
    public var segment: SegmentTask?
    /// The W3C `traceparent` of the span the job was submitted under, so the manager's and the workers' spans join
    /// the submitter's trace in other processes. Nil when tracing was off where the job was submitted. Not part of
    /// what the job asks for: a retry under another trace is the same request.
    public var traceParent: String?

    public init(
        tenant: TenantID = .default, serviceClass: ServiceClass = .standard, input: InputSource,
        outputs: [OutputSpec], priority: Int = 50, pool: String? = nil, idempotencyKey: String? = nil,
        metadata: [String: String] = [:], preset: String? = nil, acceleration: Acceleration = .auto,
        callbackURL: String? = nil, degradation: DegradationConsent? = nil, retention: RetentionPolicy = .standard,
        segmenting: SegmentingRequest = .standard, segment: SegmentTask? = nil, traceParent: String? = nil
    ) {
        self.traceParent = traceParent
        self.retention = retention
        self.segmenting = segmenting
        self.segment = segment
        self.tenant = tenant
        self.serviceClass = serviceClass
        self.input = input
        self.outputs = outputs
        self.priority = priority
        self.pool = pool
        self.idempotencyKey = idempotencyKey
        self.metadata = metadata
        self.preset = preset
        self.acceleration = acceleration
        self.callbackURL = callbackURL
        self.degradation = degradation ?? .default(for: serviceClass)
    }

    enum CodingKeys: String, CodingKey {
        case tenant, input, outputs, priority, pool, metadata, preset, acceleration, degradation, retention
        case segmenting, segment
        case serviceClass = "service_class"
        case idempotencyKey = "idempotency_key"
        case callbackURL = "callback_url"
        case traceParent = "traceparent"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenant = try c.decode(TenantID.self, forKey: .tenant)
        serviceClass = try c.decode(ServiceClass.self, forKey: .serviceClass)
        input = try c.decode(InputSource.self, forKey: .input)
        outputs = try c.decode([OutputSpec].self, forKey: .outputs)
        priority = try c.decode(Int.self, forKey: .priority)
        pool = try c.decodeIfPresent(String.self, forKey: .pool)
        idempotencyKey = try c.decodeIfPresent(String.self, forKey: .idempotencyKey)
        metadata = try c.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        preset = try c.decodeIfPresent(String.self, forKey: .preset)
        // Jobs stored before the field existed ran wherever their pool allowed.
        acceleration = try c.decodeIfPresent(Acceleration.self, forKey: .acceleration) ?? .auto
        callbackURL = try c.decodeIfPresent(String.self, forKey: .callbackURL)
        // Jobs stored before the field existed take their class's default.
        degradation =
            try c.decodeIfPresent(DegradationConsent.self, forKey: .degradation) ?? .default(for: serviceClass)
        // Jobs stored before retention existed keep the standard windows.
        retention = try c.decodeIfPresent(RetentionPolicy.self, forKey: .retention) ?? .standard
        // Jobs stored before segmenting existed were encoded whole.
        segmenting = try c.decodeIfPresent(SegmentingRequest.self, forKey: .segmenting) ?? .standard
        segment = try c.decodeIfPresent(SegmentTask.self, forKey: .segment)
        // Jobs stored before tracing existed, or submitted with it off, start no trace of their own.
        traceParent = try c.decodeIfPresent(String.self, forKey: .traceParent)
    }
}
