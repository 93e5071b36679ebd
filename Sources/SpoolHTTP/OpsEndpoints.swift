import Foundation
import Hummingbird
import Metrics
import Prometheus
import SpoolAPIModels
import SpoolCore

/// `/health`, `/ready` and `/metrics` for processes without the API (`spool manager`, `spool worker`), so an
/// orchestrator can probe them and Prometheus can scrape them (`--ops-port`). `/health` says only that the process
/// answers, never asking the store: a store outage must not get healthy pods restarted. `/ready` asks the store and
/// the process's own checks.
public struct OpsEndpoints: Sendable {
    let store: any StoreHealth
    let readiness: ReadinessChecks
    let registry: PrometheusCollectorRegistry

    public init(store: any StoreHealth, readiness: ReadinessChecks, registry: PrometheusCollectorRegistry) {
        self.store = store
        self.readiness = readiness
        self.registry = registry
    }

    /// What keeps a process from being ready: the store unreachable, or a named check's problem.
    static func failures(store: any StoreHealth, readiness: ReadinessChecks) async -> [String: String] {
        var failures: [String: String] = [:]
        do {
            try await store.ping()
        } catch {
            failures["store"] = String(describing: error)
        }
        for (name, check) in readiness.checks {
            if let problem = await check() { failures[name] = problem }
        }
        return failures
    }

    /// 200 "ready", or 503 "not_ready" with the failures and `Retry-After: 1`.
    static func readinessResponse(failures: [String: String], warnings: [String: String]) throws -> Response {
        let view = ReadinessView(
            status: failures.isEmpty ? "ready" : "not_ready", failures: failures,
            warnings: warnings.isEmpty ? nil : warnings)
        guard !failures.isEmpty else { return try JSONCoding.response(view) }
        var response = try JSONCoding.response(view, status: .serviceUnavailable)
        response.headers[.retryAfter] = "1"
        return response
    }

    /// `spool_circuit_breaker_open{breaker}`: 1 while the store's (Redis's) breaker, or a gateway's file-storage
    /// breaker, is open; read at each scrape.
    static func recordBreakers(store: any StoreHealth, storageOpen: Bool? = nil) {
        Gauge(label: "spool_circuit_breaker_open", dimensions: [("breaker", "redis")])
            .record(store.openCircuitBreakers().isEmpty ? 0 : 1)
        if let storageOpen {
            Gauge(label: "spool_circuit_breaker_open", dimensions: [("breaker", "storage")]).record(storageOpen ? 1 : 0)
        }
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.get("/health") { _, _ -> Response in
            try JSONCoding.response(["status": "ok"])
        }
        router.get("/ready") { _, _ -> Response in
            try Self.readinessResponse(failures: await Self.failures(store: store, readiness: readiness), warnings: [:])
        }
        router.get("/metrics") { _, _ -> Response in
            Self.recordBreakers(store: store)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return router
    }
}
