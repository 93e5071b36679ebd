import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

public struct TestSupportFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Free TCP ports on loopback for servers the tests start.
///
/// The ports come from below the kernel's ephemeral range (32768–60999 on Linux): a port from inside it can be taken
/// as the source port of any outgoing connection of a parallel test, so a server restarted on "its" port after a
/// kill -9 found it in use (seen in CI). Ports handed out in this process are never handed out again.
public enum FreePort {
    static let range = 20_000..<32_000
    /// Redis Cluster nodes: their bus ports (+10000) land in `range`, still below the ephemeral ports.
    static let clusterRange = 10_000..<20_000
    static let handedOut = Mutex<Set<Int>>([])

    /// A free port. With `clusterBus`, also port + 10000 is free (Redis Cluster's bus port).
    public static func find(clusterBus: Bool = false) throws -> Int {
        for _ in 0..<10_000 {
            let port = Int.random(in: clusterBus ? clusterRange : range)
            let taken = handedOut.withLock { ports in
                if ports.contains(port) || (clusterBus && ports.contains(port + 10_000)) { return true }
                ports.insert(port)
                if clusterBus { ports.insert(port + 10_000) }
                return false
            }
            if taken { continue }
            if isFree(port) && (!clusterBus || isFree(port + 10_000)) { return port }
        }
        throw TestSupportFailure("no free loopback port in \(range)")
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Whether something accepts connections on this loopback port.
    public static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
