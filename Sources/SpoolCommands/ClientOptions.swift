import ArgumentParser
import Foundation
import SpoolClient

/// Options every client command shares.
struct ClientOptions: ParsableArguments {
    @Option(help: "The Spool server to talk to (default: $SPOOL_SERVER, else http://127.0.0.1:7878).")
    var server: String?

    @Option(help: "Your tenant's API key (default: $SPOOL_API_KEY; none for a keyless local server).")
    var apiKey: String?

    var client: SpoolClient {
        get throws { try client(key: apiKey ?? ProcessInfo.processInfo.environment["SPOOL_API_KEY"]) }
    }

    /// A client of the admin API: the admin key from $SPOOL_ADMIN_KEY unless --api-key gives one.
    var adminClient: SpoolClient {
        get throws { try client(key: apiKey ?? ProcessInfo.processInfo.environment["SPOOL_ADMIN_KEY"]) }
    }

    func client(key: String?) throws -> SpoolClient {
        let text = server ?? ProcessInfo.processInfo.environment["SPOOL_SERVER"] ?? "http://127.0.0.1:7878"
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
            throw ValidationError("--server must be an http(s) URL, got '\(text)'")
        }
        return SpoolClient(server: url, apiKey: key)
    }
}

/// Prints a client failure as one line on stderr and exits non-zero.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ClientError {
        Terminal.error(error.description)
        throw ExitCode(2)
    }
}
