import RESPClient
import TestSupport

extension RedisServerProcess {
    func client() -> RedisClient {
        RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: port, mode: .standalone))
    }
}

extension RedisClusterProcesses {
    func client() -> RedisClient {
        RedisClient(
            configuration: RedisConfiguration(
                endpoints: nodes.map { RedisEndpoint(host: "127.0.0.1", port: $0.port) }, mode: .cluster))
    }
}
