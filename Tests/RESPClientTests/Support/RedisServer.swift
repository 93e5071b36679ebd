import Foundation
import RESPClient
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A real `redis-server` on a free loopback port in its own temporary directory, killed by PID in `stop()`.
/// Tests call `stop()` from `defer` so a failing test does not leave a server behind.
final class RedisServer: Sendable {
    let port: Int
    let directory: URL
    let extraArguments: [String]
    private let process = Mutex<Process?>(nil)

    var endpoint: RedisEndpoint { RedisEndpoint(host: "127.0.0.1", port: port) }

    private init(port: Int, directory: URL, extraArguments: [String]) {
        self.port = port
        self.directory = directory
        self.extraArguments = extraArguments
    }

    /// Starts a server and waits until it answers `PING`.
    static func start(_ extraArguments: [String] = [], clusterBusPort: Bool = false) async throws -> RedisServer {
        var lastError: any Error = RedisServerError("no attempt made")
        for _ in 0..<5 {
            let port = try FreePort.find(clusterBus: clusterBusPort)
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("resp-tests-\(port)-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let server = RedisServer(port: port, directory: directory, extraArguments: extraArguments)
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error
                server.stop()  // most likely someone took the port between our check and the bind; try another
            }
        }
        throw RedisServerError("could not start redis-server after 5 tries; last: \(lastError)")
    }

    /// Starts the same server again on the same port and directory, e.g. after `kill()`.
    func restart() async throws {
        try await launch()
    }

    private func launch() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments =
            [
                "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory.path, "--daemonize", "no", "--logfile",
                directory.appendingPathComponent("redis.log").path,
                "--enable-debug-command", "local",
            ] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }
        // Generous: the whole suite starts its servers at once on two cores.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard self.process.withLock({ $0?.isRunning == true }) else {
                throw RedisServerError("redis-server on \(port) exited at start")
            }
            if let connection = try? await RedisConnection.connect(to: endpoint) {
                let reply = try? await connection.send(["PING"])
                await connection.close()
                // A password-protected server answers NOAUTH, which still shows it is up.
                if reply != nil { return }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RedisServerError("redis-server on \(port) did not answer within 30s")
    }

    /// SIGKILL, like a crash; the directory stays for `restart()`.
    func kill() {
        process.withLock { process in
            guard let running = process else { return }
            if running.isRunning {
                Glibc.kill(running.processIdentifier, SIGKILL)
                running.waitUntilExit()
            }
            process = nil
        }
    }

    /// Kills the server and removes its directory.
    func stop() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }
}

struct RedisServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a client and closes the client afterwards, also when `body` throws.
func withClient<T>(
    _ configuration: RedisConfiguration,
    clock: any Clock<Duration> = ContinuousClock(),
    _ body: (RedisClient) async throws -> T
) async throws -> T {
    let client = RedisClient(configuration: configuration, clock: clock)
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

/// A direct connection for test setup and inspection, closed afterwards.
func withConnection<T>(
    to endpoint: RedisEndpoint,
    _ body: (RedisConnection) async throws -> T
) async throws -> T {
    let connection = try await RedisConnection.connect(to: endpoint)
    do {
        let result = try await body(connection)
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}

/// Runs `body` while the server holds every write (`CLIENT PAUSE … WRITE`, lifted by hand afterwards, also when `body`
/// throws): however slowly a loaded machine sends a write inside it, the write meets the pause, which a timed pause
/// or a `DEBUG SLEEP` could end first. `CLIENT UNPAUSE` is not a write, so it gets through.
func whileWritesArePaused<T>(on endpoint: RedisEndpoint, _ body: () async throws -> T) async throws -> T {
    try await withConnection(to: endpoint) { pauser in
        _ = try await pauser.send(["CLIENT", "PAUSE", "30000", "WRITE"])
        do {
            let result = try await body()
            _ = try await pauser.send(["CLIENT", "UNPAUSE"])
            return result
        } catch {
            _ = try? await pauser.send(["CLIENT", "UNPAUSE"])
            throw error
        }
    }
}

/// Runs `body` with a pool and closes the pool afterwards, also when `body` throws.
func withPool<T>(
    _ endpoint: RedisEndpoint, _ configuration: RedisConnectionPool.Configuration,
    clock: any Clock<Duration> = ContinuousClock(), _ body: (RedisConnectionPool) async throws -> T
) async throws -> T {
    let pool = RedisConnectionPool(endpoint: endpoint, configuration: configuration, clock: clock)
    do {
        let result = try await body(pool)
        await pool.close()
        return result
    } catch {
        await pool.close()
        throw error
    }
}
