/// Host and port of one Redis server.
public struct RedisEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 6379) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` as Redis prints it in `MOVED`, `ASK` and `CLUSTER NODES` (IPv6 addresses are not
    /// bracketed there, so the port follows the last colon). An empty host means "the node that sent this", which
    /// Redis uses when it does not know its own address, so `defaultHost` fills it in.
    public init?(parsing text: some StringProtocol, defaultHost: String? = nil) {
        var text = Substring(text)
        if let at = text.firstIndex(of: "@") { text = text[..<at] }  // cluster bus port suffix in CLUSTER NODES
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty {
            guard let defaultHost else { return nil }
            host = defaultHost
        }
        self.init(host: host, port: port)
    }
}

extension RedisEndpoint: CustomStringConvertible {
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
