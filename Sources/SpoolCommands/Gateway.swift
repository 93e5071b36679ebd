import ArgumentParser
import Foundation
import SpoolRuntime

struct Gateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a stateless HTTP gateway: the same API as `spool serve`, no workers. Run as many as you like.",
        discussion: """
            All state lives in the store (Redis with --redis); files live under --data, which every process shares.

            Example:
              spool gateway --redis redis://127.0.0.1:6379 --data /mnt/spool --port 8080
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var webhooks: WebhookOptions
    @OptionGroup var process: ProcessOptions

    func run() async throws {
        let (logger, registry, traces) = Runtime.bootstrap(process, serviceName: "spool-gateway")
        let configuration = try store.runtime(RuntimeConfiguration(api: api.settings, webhooks: webhooks.settings))
        let opened = try OpenedStore.open(configuration)
        let assembled = try await Runtime.starting {
            try await ProcessAssembly(
                configuration: configuration, opened: opened, environment: ProcessInfo.processInfo.environment,
                registry: registry, logger: logger
            ).gateway()
        }
        try await Runtime.run(assembled.services, traces: traces, logger: logger)
        await opened.redis?.close()
    }
}
