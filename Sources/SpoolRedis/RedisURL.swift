import RESPClient

/// Parses `redis://[user:password@]host:port[,host:port…][/db]` into a client configuration. Several hosts mean a
/// Redis Cluster's seed nodes. Timeouts are short on purpose: when Redis is away the API must answer 503 within a
/// second, not hang.
public enum RedisURL {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static func configuration(_ text: String) throws -> RedisConfiguration {
        guard text.hasPrefix("redis://") else {
            throw Invalid(description: "--redis takes redis://host:port[,host:port…][/db], got '\(text)'")
        }
        var rest = Substring(text.dropFirst("redis://".count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                username = credentials[..<colon].isEmpty ? nil : String(credentials[..<colon])
                password = String(credentials[credentials.index(after: colon)...])
            } else {
                password = String(credentials)
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let tail = rest[rest.index(after: slash)...]
            if !tail.isEmpty {
                guard let number = Int(tail), number >= 0 else {
                    throw Invalid(description: "the database in '\(text)' must be a number")
                }
                database = number
            }
            rest = rest[..<slash]
        }
        var endpoints: [RedisEndpoint] = []
        for part in rest.split(separator: ",") {
            guard let endpoint = RedisEndpoint(parsing: part) else {
                throw Invalid(description: "'\(part)' in '\(text)' is not host:port")
            }
            endpoints.append(endpoint)
        }
        guard !endpoints.isEmpty else { throw Invalid(description: "'\(text)' names no host") }
        let connection = RedisConnection.Configuration(
            username: username, password: password, database: database, clientName: "spool",
            commandTimeout: .seconds(2), connectTimeout: .milliseconds(500))
        return RedisConfiguration(
            endpoints: endpoints, mode: endpoints.count > 1 ? .cluster : .automatic, connection: connection,
            retryAttempts: 2, retryBackoff: RedisBackoff(initial: .milliseconds(25), maximum: .milliseconds(200)))
    }
}
