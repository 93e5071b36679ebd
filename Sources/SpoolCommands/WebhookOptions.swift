import ArgumentParser
import Foundation
import Logging
import SpoolCore
import SpoolWebhooks

/// How a process signs and sends the webhooks of ended jobs.
struct WebhookOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A file holding the webhook master secret (else $SPOOL_WEBHOOK_SECRET, else DATA/webhook-secret, made "
                + "once). Each tenant's signing secret is derived from it.", valueName: "file"))
    var webhookSecretFile: String?

    @Option(help: "Tries per webhook delivery, the first included, with jittered exponential backoff between them.")
    var webhookAttempts = 10

    @Option(help: "Seconds one webhook try may take.")
    var webhookTimeout: Double = 10

    @Option(help: "Consecutive failures to one callback host that open its circuit breaker.")
    var webhookBreakerFailures = 5

    @Option(help: "Seconds a callback host's open breaker holds its deliveries back before one probe goes through.")
    var webhookBreakerCooldown: Double = 30

    @Flag(
        help:
            "Let callbacks reach loopback, private and link-local addresses (also allowed by --allow-private-networks)."
    )
    var allowPrivateCallbacks = false

    func signer(layout: DataLayout) throws -> WebhookSigner {
        do {
            return WebhookSigner(
                masterSecret: try WebhookMasterSecret.load(
                    environment: ProcessInfo.processInfo.environment, file: webhookSecretFile,
                    dataDirectory: layout.root))
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func settings(allowPrivateNetworks: Bool) -> WebhookSettings {
        WebhookSettings(
            retry: WebhookRetryPolicy(maxAttempts: webhookAttempts),
            timeout: .milliseconds(Int64(webhookTimeout * 1000)), breakerFailures: webhookBreakerFailures,
            breakerCoolDown: .milliseconds(Int64(webhookBreakerCooldown * 1000)),
            allowPrivateNetworks: allowPrivateNetworks || allowPrivateCallbacks)
    }

    func service(
        store: any WebhookOutbox & JobReading, layout: DataLayout, signer: WebhookSigner, allowPrivateNetworks: Bool,
        logger: Logger
    ) -> WebhookService<ContinuousClock> {
        WebhookService(
            store: store, signer: signer, layout: layout,
            settings: settings(allowPrivateNetworks: allowPrivateNetworks),
            clock: ContinuousClock(), logger: logger)
    }
}
