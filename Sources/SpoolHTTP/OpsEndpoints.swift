import Foundation
import Hummingbird
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

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.get("/health") { _, _ -> Response in
            try JSONCoding.response(["status": "ok"])
        }
        router.get("/ready") { _, _ -> Response in
            var failures: [String: String] = [:]
            do {
                try await store.ping()
            } catch {
                failures["store"] = String(describing: error)
            }
            for (name, check) in readiness.checks {
                if let problem = await check() { failures[name] = problem }
            }
            guard !failures.isEmpty else {
                return try JSONCoding.response(ReadinessView(status: "ready", failures: [:], warnings: nil))
            }
            var response = try JSONCoding.response(
                ReadinessView(status: "not_ready", failures: failures, warnings: nil), status: .serviceUnavailable)
            response.headers[.retryAfter] = "1"
            return response
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return router
    }
}
