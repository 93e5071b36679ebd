/// What a service class does once its jobs have waited past the class's target and their pool is saturated.
public enum DegradationPolicy: Sendable, Equatable, Hashable {
    /// Stay queued for the same pool and preset; the job runs when capacity frees.
    case wait
    /// Run on another pool (usually `cpu`): slower, but it starts now instead of missing its deadline.
    case moveToPool(String)
    /// Re-plan the outputs with a cheaper preset so the job needs less of the saturated pool.
    case cheaperPreset(String)
}

extension DegradationPolicy: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, pool, preset
    }

    /// The `kind` names as they appear in configuration files.
    enum Kind: String, CaseIterable {
        case wait
        case moveToPool = "move_to_pool"
        case cheaperPreset = "cheaper_preset"
    }

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
        case .cheaperPreset:
            guard let preset = try container.decodeIfPresent(String.self, forKey: .preset) else {
                throw DispatchConfigurationError.missingDegradationTarget(
                    kind: kindName, key: CodingKeys.preset.rawValue)
            }
            self = .cheaperPreset(preset)
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
        case .cheaperPreset(let preset):
            try container.encode(Kind.cheaperPreset.rawValue, forKey: .kind)
            try container.encode(preset, forKey: .preset)
        }
    }
}
