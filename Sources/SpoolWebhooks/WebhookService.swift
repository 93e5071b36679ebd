import AsyncHTTPClient
import CircuitBreaking
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SortedJSON
import SpoolAPIModels
import SpoolControlPlane
import SpoolCore
import SpoolInputs

/// Sends the deliveries the store's outbox holds: signed, retried with jittered backoff, one breaker per host.
/// Any number of processes may run one; the outbox leases each delivery to one sender at a time.
public struct WebhookService<C: Clock>: Service where C.Duration == Duration {
    let store: any WebhookOutbox & JobReading
    let signer: WebhookSigner
    let layout: DataLayout
    let settings: WebhookSettings
    let clock: C
    let logger: Logger
    let breakers: HostBreakers
    let started: C.Instant
    let jitter: @Sendable () -> Double

    public init(
        store: any WebhookOutbox & JobReading, signer: WebhookSigner, layout: DataLayout, settings: WebhookSettings,
        clock: C,
        logger: Logger, jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.store = store
        self.signer = signer
        self.layout = layout
        self.settings = settings
        self.clock = clock
        var logger = logger
        logger[metadataKey: "component"] = "webhooks"
        self.logger = logger
        self.breakers = HostBreakers(failureThreshold: settings.breakerFailures, coolDown: settings.breakerCoolDown)
        self.started = clock.now
        self.jitter = jitter
    }

    public func run() async throws {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)), decompression: .disabled))
        await runPeriodically(every: settings.pollInterval, clock: clock, logger: logger) {
            // Deliveries already taken finish even during shutdown: their lease would hold them back otherwise.
            let sent = await sendDue(client: client)
            // A full batch suggests more are due: take the next at once.
            return sent < settings.concurrency ? .wait : .again
        }
        try? await client.shutdown()
    }

    /// Takes one batch of due deliveries and tries each once; returns how many were taken.
    func sendDue(client: HTTPClient) async -> Int {
        let due: [WebhookDelivery]
        do {
            due = try await store.claimDueWebhooks(now: Date(), limit: settings.concurrency, lease: settings.lease)
        } catch {
            logger.warning("cannot read the webhook outbox; trying again", metadata: ["error": "\(error)"])
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            for delivery in due {
                group.addTask { await attempt(delivery, client: client) }
            }
        }
        return due.count
    }

    /// One try of one delivery, and the record of how it went.
    func attempt(_ delivery: WebhookDelivery, client: HTTPClient) async {
        var logger = logger
        logger[metadataKey: "job"] = "\(delivery.job)"
        let next: WebhookDelivery
        do {
            guard let job = try await store.job(delivery.job), let url = job.spec.callbackURL else {
                try await store.recordWebhook(delivery.failed(because: "the job or its callback URL is gone"))
                return
            }
            next = await send(delivery, job: job, url: url, client: client, logger: logger)
            try await store.recordWebhook(next)
        } catch {
            // The lease brings the delivery back; a repeat is harmless to a receiver that checks the delivery ID.
            logger.warning("cannot record a webhook try; it will be tried again", metadata: ["error": "\(error)"])
            return
        }
        Counter(label: "spool_webhook_deliveries_total", dimensions: [("outcome", next.state.rawValue)]).increment()
        logger.info(
            "webhook try",
            metadata: [
                "state": "\(next.state.rawValue)", "attempts": "\(next.attempts)",
                "status": "\(next.lastStatus.map(String.init) ?? "-")", "error": "\(next.lastError ?? "-")",
            ])
    }

    func send(
        _ delivery: WebhookDelivery, job: Job, url: String, client: HTTPClient, logger: Logger
    ) async -> WebhookDelivery {
        let now = Date()
        let host = Self.hostKey(url)
        let elapsed = started.duration(to: clock.now)
        if case .reject(let retryAfter) = breakers.decide(host, now: elapsed) {
            // The host keeps failing: wait out its cool-down without spending one of the delivery's tries.
            var waiting = delivery
            waiting.nextAttemptAt = now.addingTimeInterval(retryAfter.seconds)
            waiting.lastError = "circuit open for \(host) after repeated failures; next try after the cool-down"
            return waiting
        }
        let outcome = await post(job: job, url: url, client: client)
        switch outcome {
        case .answered(let status) where !WebhookRetryPolicy.isWorthRetrying(status: status):
            breakers.record(host, succeeded: true, now: elapsed, reason: "")
        case .answered(let status):
            breakers.record(host, succeeded: false, now: elapsed, reason: "HTTP \(status)")
        case .unreachable(let reason):
            breakers.record(host, succeeded: false, now: elapsed, reason: reason)
        case .forbidden:
            break
        }
        return settings.retry.next(after: outcome, delivery: delivery, now: now, jitter: jitter())
    }

    func post(job: Job, url: String, client: HTTPClient) async -> WebhookRetryPolicy.Outcome {
        let access = InputAccess(
            policy: InputPolicy(allowPrivateNetworks: settings.allowPrivateNetworks), layout: layout)
        do {
            try access.checkHost(of: url)
        } catch {
            return .forbidden("refused to call \(url): \(error.message)")
        }
        let now = Date()
        let payload = WebhookPayload(job: job, layout: layout, now: now)
        let body: [UInt8]
        do {
            body = try APIJSON.sortedEncoder.encode(payload)
        } catch {
            return .forbidden("cannot encode the delivery: \(error)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Spool-Webhooks/1")
        request.headers.add(name: "Spool-Delivery", value: payload.id)
        request.headers.add(name: "Spool-Event", value: payload.type)
        request.headers.add(
            name: "Spool-Signature",
            value: signer.signatureHeader(
                tenant: job.spec.tenant, timestamp: Int(now.timeIntervalSince1970), body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(settings.timeout.nanoseconds))
            // The body is not used, but reading (up to a bound) lets the connection be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return .answered(status: Int(response.status.code))
        } catch {
            return .unreachable("could not deliver to \(url): \(error)")
        }
    }

    /// Breakers are per scheme, host and port: one receiver's outage says nothing about another's.
    static func hostKey(_ url: String) -> String {
        guard let parts = URLComponents(string: url), let host = parts.host else { return url }
        let scheme = parts.scheme?.lowercased() ?? "http"
        return "\(scheme)://\(host.lowercased()):\(parts.port ?? (scheme == "https" ? 443 : 80))"
    }
}
