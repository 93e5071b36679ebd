import ArgumentParser
import Foundation
import SpoolCore
import SpoolHTTP

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
        let (logger, registry) = Runtime.bootstrap(process)
        let opened = try store.open()
        let (authentication, rates) = try api.access()
        let drain = GracefulDrain()
        let spoolAPI = SpoolAPI(
            store: opened.store,
            configuration: APIConfiguration(
                layout: opened.layout, inputPolicy: api.inputPolicy, authentication: authentication, rateLimits: rates,
                jobCache: try api.jobCache, webhookSigner: try webhooks.signer(layout: opened.layout),
                storageBreaker: api.storageBreaker),
            readiness: ReadinessChecks(["draining": drain.readinessCheck]), registry: registry,
            rateLimiter: opened.rateLimiter, logger: logger)
        let host = api.host
        let storeName = opened.runtime.store.redis ?? "sqlite"
        let app = Runtime.application(
            api: spoolAPI, options: api, services: [],
            banner: { "spool gateway http://\(host):\($0) (store \(storeName))" }, logger: logger)
        try await Runtime.run(
            [app, drain.service(period: api.drainPeriod, logger: logger)],
            logger: logger)
        await opened.redis?.close()
    }
}
