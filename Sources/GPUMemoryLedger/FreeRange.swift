/// A stretch of unreserved virtual memory.
public struct FreeRange: Codable, Sendable, Equatable, Hashable {
    public var offsetMiB: Int
    public var sizeMiB: Int

    public init(offsetMiB: Int, sizeMiB: Int) {
        self.offsetMiB = offsetMiB
        self.sizeMiB = sizeMiB
    }

    /// The first MiB after this range.
    public var endMiB: Int { offsetMiB + sizeMiB }
}
