/// The body of `POST /v1/jobs` as a client sends it, before validation.
public struct JobRequest: Codable, Sendable, Equatable {
    public var input: String?
    public var outputs: [OutputSpec]?
    public var preset: String?
    public var priority: Int?
    public var pool: String?
    public var idempotencyKey: String?
    public var metadata: [String: String]?
    public var serviceClass: ServiceClass?
    public var acceleration: Acceleration?
    public var callbackURL: String?
    /// `allow` or `forbid`; absent: the class's default (`DegradationConsent.default(for:)`).
    public var degradation: DegradationConsent?
    /// Days the finished job and its files are kept; absent: the tenant's window, else the server's.
    public var retainDays: Double?
    /// `{"mode": "auto"|"off"|"on", "seconds": N}`; absent: auto with 30-second segments.
    public var segmenting: SegmentingRequest?

    public init(
        input: String? = nil, outputs: [OutputSpec]? = nil, preset: String? = nil, priority: Int? = nil,
        pool: String? = nil, idempotencyKey: String? = nil, metadata: [String: String]? = nil,
        serviceClass: ServiceClass? = nil, acceleration: Acceleration? = nil, callbackURL: String? = nil,
        degradation: DegradationConsent? = nil, retainDays: Double? = nil, segmenting: SegmentingRequest? = nil
    ) {
        self.segmenting = segmenting
        self.retainDays = retainDays
        self.input = input
        self.outputs = outputs
        self.preset = preset
        self.priority = priority
        self.pool = pool
        self.idempotencyKey = idempotencyKey
        self.metadata = metadata
        self.serviceClass = serviceClass
        self.acceleration = acceleration
        self.callbackURL = callbackURL
        self.degradation = degradation
    }

    enum CodingKeys: String, CodingKey {
        case input, outputs, preset, priority, pool, metadata, acceleration, degradation, segmenting
        case idempotencyKey = "idempotency_key"
        case serviceClass = "service_class"
        case callbackURL = "callback_url"
        case retainDays = "retain_days"
    }
}
