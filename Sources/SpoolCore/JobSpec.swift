/// A validated job: what to read, what to make, and who asked. Built only by `JobRequest.validate`.
public struct JobSpec: Codable, Sendable, Equatable {
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

    public init(
        tenant: TenantID = .default, serviceClass: ServiceClass = .standard, input: InputSource,
        outputs: [OutputSpec], priority: Int = 50, pool: String? = nil, idempotencyKey: String? = nil,
        metadata: [String: String] = [:], preset: String? = nil
    ) {
        self.tenant = tenant
        self.serviceClass = serviceClass
        self.input = input
        self.outputs = outputs
        self.priority = priority
        self.pool = pool
        self.idempotencyKey = idempotencyKey
        self.metadata = metadata
        self.preset = preset
    }

    enum CodingKeys: String, CodingKey {
        case tenant, input, outputs, priority, pool, metadata, preset
        case serviceClass = "service_class"
        case idempotencyKey = "idempotency_key"
    }
}
