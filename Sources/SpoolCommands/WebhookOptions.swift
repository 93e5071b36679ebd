import ArgumentParser
import SpoolRuntime

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

    /// These options as a value (`SpoolRuntime`).
    var settings: WebhookSenderSettings {
        var settings = WebhookSenderSettings()
        settings.secretFile = webhookSecretFile
        settings.attempts = webhookAttempts
        settings.timeoutSeconds = webhookTimeout
        settings.breakerFailures = webhookBreakerFailures
        settings.breakerCooldownSeconds = webhookBreakerCooldown
        settings.allowPrivateCallbacks = allowPrivateCallbacks
        return settings
    }
}
