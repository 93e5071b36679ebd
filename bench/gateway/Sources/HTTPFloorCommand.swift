import ArgumentParser
import Hummingbird

/// The cheapest request Hummingbird 2 serves out of the box (its default server, no middleware, one route answering
/// what NGINX's `return 200 "ok\n"` answers): the floor under a gateway request's cost, so the ceiling on its
/// throughput. A gateway request also authenticates, limits, reads its cache or Redis and encodes JSON;
/// bench/gateway/run measures this beside NGINX and the gateway, so a ratio to NGINX can be read against what the
/// framework itself reaches on the same machine.
@main
struct HTTPFloorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool-bench-http-floor",
        abstract: "Serve GET / with \"ok\" on Hummingbird's defaults: the HTTP framework's own ceiling.",
        discussion: """
            bench/gateway/run starts it beside NGINX and the gateway and points wrk at it. It stops on SIGTERM or \
            SIGINT.

            Example:
              spool-bench-http-floor --port 8080
            """)

    @Option(help: "Port to listen on, on 127.0.0.1.") var port: Int

    func run() async throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port takes 1-65535, not \(port)") }
        let router = Router()
        router.get("/") { _, _ in "ok\n" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
