/// How many candidates a cycle evaluates per job. Scoring every device of a large fleet for every job costs more
/// than it gains; like kube-scheduler's `percentageOfNodesToScore`, a cycle can stop once it has enough feasible
/// candidates, starting each job where the last one stopped so the whole fleet is covered in turn.
public enum CandidateSampling: Codable, Sendable, Equatable {
    /// Evaluate every device.
    case all
    /// Stop after this many feasible candidates (kube-scheduler's floor is 100 nodes).
    case feasible(limit: Int)
    /// First fit: the first feasible device in fleet order, unscored.
    case firstFeasible
    /// Power of two choices: two random feasible devices, the better one wins. For very large fleets.
    case powerOfTwoChoices

    enum CodingKeys: String, CodingKey {
        case kind, limit
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "all": self = .all
        case "feasible": self = .feasible(limit: max(1, try c.decode(Int.self, forKey: .limit)))
        case "first_feasible": self = .firstFeasible
        case "power_of_two_choices": self = .powerOfTwoChoices
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription:
                    "unknown sampling '\(other)'; use all, feasible (with limit), first_feasible or power_of_two_choices"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .all: try c.encode("all", forKey: .kind)
        case .feasible(let limit):
            try c.encode("feasible", forKey: .kind)
            try c.encode(limit, forKey: .limit)
        case .firstFeasible: try c.encode("first_feasible", forKey: .kind)
        case .powerOfTwoChoices: try c.encode("power_of_two_choices", forKey: .kind)
        }
    }
}
