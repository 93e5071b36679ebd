#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Free space on the disk of a local folder. A process whose data folder is nearly full says so in `/ready` and (a
/// worker) stops taking jobs, instead of starting work that can only fail; both follow the disk back when space
/// returns, since every answer is a fresh statvfs(2).
public struct DiskSpace: Sendable {
    public var path: String
    /// Below this many free bytes the disk counts as full.
    public var minimumFreeBytes: Int64

    public static let defaultMinimumFreeBytes: Int64 = 16 << 20

    public init(path: String, minimumFreeBytes: Int64 = defaultMinimumFreeBytes) {
        self.path = path
        self.minimumFreeBytes = minimumFreeBytes
    }

    /// Bytes an unprivileged process may still write there; nil when the folder cannot be examined.
    public var freeBytes: Int64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    public var isFull: Bool { (freeBytes ?? .max) < minimumFreeBytes }

    /// Why the disk cannot take more, or nil.
    public var problem: String? {
        guard let free = freeBytes, free < minimumFreeBytes else { return nil }
        return "the disk of \(path) is full (\(free >> 20) MiB free, under \(minimumFreeBytes >> 20) MiB): "
            + "free space there; jobs wait meanwhile"
    }
}
