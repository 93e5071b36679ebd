/// Hardware video sessions on a device (or a host, for the consumer driver's system-wide cap).
public struct SessionCount: Codable, Sendable, Equatable {
    public var capacity: Int
    public var inUse: Int

    public init(capacity: Int, inUse: Int = 0) {
        self.capacity = capacity
        self.inUse = inUse
    }

    public var free: Int { max(0, capacity - inUse) }

    public func admits(_ count: Int) -> Bool { count == 0 || inUse + count <= capacity }
}
