import SpoolCore

/// Placements that waited longer than their class's target.
public struct SLOViolations: Sendable, Codable, Equatable {
    public var realtime = 0
    public var standard = 0
    public var batch = 0

    public init(realtime: Int = 0, standard: Int = 0, batch: Int = 0) {
        self.realtime = realtime
        self.standard = standard
        self.batch = batch
    }

    public var total: Int { realtime + standard + batch }

    mutating func record(_ serviceClass: ServiceClass) {
        switch serviceClass {
        case .realtime: realtime += 1
        case .standard: standard += 1
        case .batch: batch += 1
        }
    }

    private enum CodingKeys: String, CodingKey {
        case realtime, standard, batch, total
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        realtime = try container.decode(Int.self, forKey: .realtime)
        standard = try container.decode(Int.self, forKey: .standard)
        batch = try container.decode(Int.self, forKey: .batch)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(realtime, forKey: .realtime)
        try container.encode(standard, forKey: .standard)
        try container.encode(batch, forKey: .batch)
        try container.encode(total, forKey: .total)
    }
}
