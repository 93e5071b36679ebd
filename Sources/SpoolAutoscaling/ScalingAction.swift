/// What the pool should do after an evaluation.
public enum ScalingAction: Sendable, Equatable {
    case none
    /// Add `count` workers; the instance type and spot choice are nil/false without a cost configuration.
    case scaleUp(count: Int, instanceType: String?, spot: Bool)
    /// Stop giving work to these idle workers and release them once they are empty.
    case drain(workers: [String])
}

extension ScalingAction: Codable {
    private enum Kind: String, Codable {
        case none
        case scaleUp = "scale_up"
        case drain
    }

    private enum CodingKeys: String, CodingKey {
        case kind, count, spot, workers
        case instanceType = "instance_type"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .kind) {
        case .none:
            self = .none
        case .scaleUp:
            self = .scaleUp(
                count: try container.decode(Int.self, forKey: .count),
                instanceType: try container.decodeIfPresent(String.self, forKey: .instanceType),
                spot: try container.decode(Bool.self, forKey: .spot))
        case .drain:
            self = .drain(workers: try container.decode([String].self, forKey: .workers))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .none:
            try container.encode(Kind.none, forKey: .kind)
        case .scaleUp(let count, let instanceType, let spot):
            try container.encode(Kind.scaleUp, forKey: .kind)
            try container.encode(count, forKey: .count)
            try container.encodeIfPresent(instanceType, forKey: .instanceType)
            try container.encode(spot, forKey: .spot)
        case .drain(let workers):
            try container.encode(Kind.drain, forKey: .kind)
            try container.encode(workers, forKey: .workers)
        }
    }
}
