import Dispatch
import HTTPTypes
import Metrics
import Synchronization

/// The metric handles `RequestMetricsMiddleware` records into, made once per method and per route, method and status:
/// making a handle asks the metrics backend to look it up by label and dimensions.
final class RequestMetricHandles: Sendable {
    struct Endpoint: Sendable {
        let counter: Counter
        let timer: Metrics.Timer
        let errorCounter: Counter
    }

    private struct Key: Hashable {
        let endpoint: String
        let method: HTTPRequest.Method
        let status: HTTPResponse.Status
    }

    private let factory: any MetricsFactory
    private let actives = Mutex<[HTTPRequest.Method: Meter]>([:])
    private let endpoints = Mutex<[Key: Endpoint]>([:])

    /// - Parameter factory: the metrics backend; the process's own (`MetricsSystem`) unless a test brings one.
    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Requests in progress, by method.
    func active(_ method: HTTPRequest.Method) -> Meter {
        actives.withLock { actives in
            if let known = actives[method] { return known }
            let meter = Meter(
                label: "http.server.active_requests", dimensions: [("http.request.method", method.description)],
                factory: factory)
            actives[method] = meter
            return meter
        }
    }

    /// Counts and times an answer that started at `startedAt` (uptime nanoseconds), and ends it as active.
    func recordAnswer(
        _ endpoint: String, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status, startedAt: UInt64,
        active: Meter
    ) {
        let metrics = self.endpoint(endpoint, method, status)
        metrics.counter.increment()
        metrics.timer.recordNanoseconds(DispatchTime.now().uptimeNanoseconds - startedAt)
        active.decrement()
    }

    /// Requests, their duration and errors, by route, method and status.
    func endpoint(_ endpoint: String, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status) -> Endpoint {
        endpoints.withLock { endpoints in
            let key = Key(endpoint: endpoint, method: method, status: status)
            if let known = endpoints[key] { return known }
            let dimensions = [
                ("http.route", endpoint), ("http.request.method", method.description),
                ("http.response.status_code", status.code.description),
            ]
            let made = Endpoint(
                counter: Counter(label: "hb.requests", dimensions: dimensions, factory: factory),
                timer: Metrics.Timer(
                    label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds,
                    factory: factory),
                errorCounter: Counter(
                    label: "hb.request.errors",
                    dimensions: [
                        ("http.route", endpoint), ("http.request.method", method.description),
                        ("error.type", status.code.description),
                    ], factory: factory))
            endpoints[key] = made
            return made
        }
    }
}
