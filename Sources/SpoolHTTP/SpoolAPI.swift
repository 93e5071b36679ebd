import Foundation
import Hummingbird
import Logging
import Prometheus
import SpoolAPIModels
import SpoolConsole
import SpoolCore
import SpoolStorage

/// The HTTP API of a Spool gateway: the same routes whether the store is embedded or shared.
public struct SpoolAPI: Sendable {
    let store: any GatewayStore
    let configuration: APIConfiguration
    let readiness: ReadinessChecks
    let registry: PrometheusCollectorRegistry
    /// Wakes workers in this process when a job is submitted (embedded mode).
    let workSignal: WorkSignal?
    let rateLimiter: any RateLimiter
    /// Set before `router()` to keep keys longer or shorter (a test on a loaded machine).
    var tenantKeys: TenantKeyCache
    let jobCache: JobReadCache
    let storage: StorageGuard
    let logger: Logger
    let inputRootWarnings = OnceLogged()
    /// Shared by the router's metrics middleware and the answers given on the event loop, which count as the same
    /// route. Set before `router()` to record elsewhere (a test's registry).
    var requestMetrics: RequestMetricHandles

    public init(
        store: any GatewayStore, configuration: APIConfiguration, readiness: ReadinessChecks = ReadinessChecks(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), workSignal: WorkSignal? = nil,
        rateLimiter: any RateLimiter = InProcessRateLimiter(), logger: Logger = Logger(label: "spool.api")
    ) {
        self.rateLimiter = rateLimiter
        self.tenantKeys = TenantKeyCache(store: store)
        self.jobCache = JobReadCache(settings: configuration.jobCache)
        self.storage = StorageGuard(settings: configuration.storageBreaker)
        self.requestMetrics = RequestMetricHandles()
        self.logger = logger
        self.workSignal = workSignal
        self.store = store
        self.configuration = configuration
        self.readiness = readiness
        self.registry = registry
    }

    public func router() -> Router<SpoolRequestContext> {
        // HEAD is answered wherever GET is (RFC 9110 §9.3.2), and `Allow` says so.
        let router = Router(context: SpoolRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: RequestMetricsMiddleware(handles: requestMetrics))
        router.add(middleware: access)
        addJobRoutes(to: router)
        addJobListEventRoutes(to: router)
        addUploadRoutes(to: router)
        addOutputRoutes(to: router)
        addEventRoutes(to: router)
        addSystemRoutes(to: router)
        addPoolRoutes(to: router)
        addAdminRoutes(to: router)
        addTenantRoutes(to: router)
        addSessionRoutes(to: router)
        addWebhookRoutes(to: router)
        ConsoleRoutes(mediaOrigins: redirectedDownloadOrigins).add(to: router)
        DocumentedRoutes.bundled.addMethodNotAllowed(to: router)
        return router
    }

    var access: AccessMiddleware {
        AccessMiddleware(
            mode: configuration.authentication, tenants: tenantKeys, sessions: store, limiter: rateLimiter,
            rates: configuration.rateLimits, logger: logger)
    }

    /// The answers an `APIServer` gives on the event loop, before the router: cached job reads.
    public func eventLoopAnswers() -> any EventLoopAnswering {
        CachedJobAnswers(access: access, jobCache: jobCache, metrics: requestMetrics)
    }

    /// Where outputs come from when downloads redirect to presigned URLs: the console's policy must let the page play
    /// and show them from there.
    var redirectedDownloadOrigins: [String] {
        guard configuration.redirectDownloads,
            let url = configuration.objects.presignedURL(ObjectKey(checked: "console-origin"), expires: .seconds(60)),
            let scheme = url.scheme, let host = url.host
        else { return [] }
        return [url.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"]
    }

    func view(_ job: Job) -> JobView { JobView(job, layout: configuration.layout) }

    /// The job named in the path, if the caller may see it; another tenant's job is as missing as a job that never
    /// existed, so its existence does not leak.
    func requireJob(_ context: SpoolRequestContext) async throws -> Job {
        let id = JobID(rawValue: try context.parameters.require("id"))
        guard let job = try await store.job(id), context.caller.sees(job.spec.tenant) else {
            throw Problem.notFound("no job \(id)")
        }
        return job
    }
}
