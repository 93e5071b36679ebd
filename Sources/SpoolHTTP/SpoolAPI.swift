import Foundation
import Hummingbird
import Logging
import Prometheus
import SpoolCore

/// The HTTP API of a Spool gateway: the same routes whether the store is embedded or shared.
public struct SpoolAPI: Sendable {
    let store: any JobStore
    let configuration: APIConfiguration
    let readiness: ReadinessChecks
    let registry: PrometheusCollectorRegistry
    /// Wakes workers in this process when a job is submitted (embedded mode).
    let workSignal: WorkSignal?

    public init(
        store: any JobStore, configuration: APIConfiguration, readiness: ReadinessChecks = ReadinessChecks(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), workSignal: WorkSignal? = nil
    ) {
        self.workSignal = workSignal
        self.store = store
        self.configuration = configuration
        self.readiness = readiness
        self.registry = registry
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: MetricsMiddleware())
        addJobRoutes(to: router)
        addUploadRoutes(to: router)
        addOutputRoutes(to: router)
        addEventRoutes(to: router)
        addSystemRoutes(to: router)
        addPoolRoutes(to: router)
        return router
    }

    func view(_ job: Job) -> JobView { JobView(job, layout: configuration.layout) }

    func requireJob(_ context: BasicRequestContext) async throws -> Job {
        let id = JobID(rawValue: try context.parameters.require("id"))
        guard let job = try await store.job(id) else { throw Problem.notFound("no job \(id)") }
        return job
    }
}
