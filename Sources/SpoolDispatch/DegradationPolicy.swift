/// What a service class does once its jobs have waited past the class's target and their pool is saturated.
public enum DegradationPolicy: Sendable, Equatable, Hashable {
    /// Stay queued for the same pool and preset; the job runs when capacity frees.
    case wait
    /// Run on another pool (usually `cpu`): slower, but it starts now instead of missing its deadline.
    case moveToPool(String)
    /// Encode the same outputs with a faster encoder setting (`EncoderSpeed.faster`), so the job holds its slot for
    /// less time. The outputs stay exactly as asked: no other preset, no smaller rendition.
    case fasterEncoding
}

extension DegradationPolicy: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, pool
    }

    /// The `kind` names as they appear in configuration files.
    enum Kind: String, CaseIterable {
        case wait
        case moveToPool = "move_to_pool"
        case fasterEncoding = "faster_encoding"
    }

    /// A kind that older configurations used, refused with advice: it replaced the client's outputs.
    static let removedCheaperPreset = "cheaper_preset"

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kindName = try container.decode(String.self, forKey: .kind)
        switch Kind(rawValue: kindName) {
        case .wait:
            self = .wait
        case .moveToPool:
            guard let pool = try container.decodeIfPresent(String.self, forKey: .pool) else {
                throw DispatchConfigurationError.missingDegradationTarget(kind: kindName, key: CodingKeys.pool.rawValue)
            }
            self = .moveToPool(pool)
        case .fasterEncoding:
            self = .fasterEncoding
        case nil where kindName == Self.removedCheaperPreset:
            throw DispatchConfigurationError.outputChangingDegradation(kindName)
        case nil:
            throw DispatchConfigurationError.unknownDegradationKind(kindName)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .wait:
            try container.encode(Kind.wait.rawValue, forKey: .kind)
        case .moveToPool(let pool):
            try container.encode(Kind.moveToPool.rawValue, forKey: .kind)
            try container.encode(pool, forKey: .pool)
        case .fasterEncoding:
            try container.encode(Kind.fasterEncoding.rawValue, forKey: .kind)
        }
    }
}
