extension RedisConnection {
    /// How to open and talk to one server.
    public struct Configuration: Sendable {
        public enum ProtocolVersion: Int, Sendable {
            /// No handshake needed; replies use RESP2 shapes (`HGETALL` answers a flat array).
            case resp2 = 2
            /// Sends `HELLO 3` on connect; replies use RESP3 shapes (maps, sets, doubles, booleans, nulls).
            case resp3 = 3
        }

        public var protocolVersion: ProtocolVersion
        /// ACL user; `nil` authenticates as `default` when a password is set.
        public var username: String?
        public var password: String?
        /// `SELECT`ed on connect when not 0. Redis Cluster has only database 0.
        public var database: Int
        /// Shown in `CLIENT LIST`, which helps find who holds connections.
        public var clientName: String?
        /// Default timeout of every call on the connection.
        public var commandTimeout: Duration
        public var connectTimeout: Duration
        public var decoderLimits: RESPParser.Limits

        public init(
            protocolVersion: ProtocolVersion = .resp2,
            username: String? = nil,
            password: String? = nil,
            database: Int = 0,
            clientName: String? = nil,
            commandTimeout: Duration = .seconds(5),
            connectTimeout: Duration = .seconds(2),
            decoderLimits: RESPParser.Limits = RESPParser.Limits()
        ) {
            self.protocolVersion = protocolVersion
            self.username = username
            self.password = password
            self.database = database
            self.clientName = clientName
            self.commandTimeout = commandTimeout
            self.connectTimeout = connectTimeout
            self.decoderLimits = decoderLimits
        }

        /// The commands that set a new connection up, in order.
        var handshake: [[RESPArgument]] {
            var commands: [[RESPArgument]] = []
            switch protocolVersion {
            case .resp3:
                var hello: [RESPArgument] = ["HELLO", "3"]
                if let password { hello += ["AUTH", .init(username ?? "default"), .init(password)] }
                if let clientName { hello += ["SETNAME", .init(clientName)] }
                commands.append(hello)
            case .resp2:
                if let password {
                    commands.append(
                        username.map { ["AUTH", .init($0), .init(password)] } ?? ["AUTH", .init(password)])
                }
                if let clientName { commands.append(["CLIENT", "SETNAME", .init(clientName)]) }
            }
            if database != 0 { commands.append(["SELECT", .init(database)]) }
            return commands
        }
    }
}
