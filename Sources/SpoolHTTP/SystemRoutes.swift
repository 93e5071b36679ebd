import Foundation
import Hummingbird
import Metrics
import SpoolAPIModels
import SpoolCore

extension SpoolAPI {
    func addSystemRoutes(to router: Router<SpoolRequestContext>) {
        router.get("/health") { _, _ -> Response in
            try JSONCoding.response(["status": "ok"])
        }

        router.get("/ready") { _, _ -> Response in
            var failures = await OpsEndpoints.failures(store: store, readiness: readiness)
            if let problem = storage.readiness { failures["storage"] = problem }
            var warnings: [String: String] = [:]
            if let mismatch = await inputRootMismatch() { warnings["input_roots"] = mismatch }
            return try OpsEndpoints.readinessResponse(failures: failures, warnings: warnings)
        }

        router.get("/metrics") { _, _ -> Response in
            OpsEndpoints.recordBreakers(store: store, storageOpen: storage.readiness != nil)
            let counts = (try? await store.countByState()) ?? [:]
            for state in JobState.allCases {
                Gauge(label: "spool_jobs", dimensions: [("state", state.rawValue)]).record(counts[state] ?? 0)
            }
            let workers = (try? await store.workers()) ?? []
            Gauge(label: "spool_workers").record(workers.count)
            Gauge(label: "spool_worker_slots").record(workers.reduce(0) { $0 + $1.slots })
            Gauge(label: "spool_worker_slots_busy").record(workers.reduce(0) { $0 + $1.running.count })
            // Any gateway answers for every pool, so an HPA or KEDA can scrape the desired size from any of them.
            for pool in (try? await poolViews()) ?? [] {
                let dimensions = [("pool", pool.name)]
                Gauge(label: "spool_pool_workers", dimensions: dimensions).record(pool.workers)
                Gauge(label: "spool_pool_running_jobs", dimensions: dimensions).record(pool.running)
                Gauge(label: "spool_pool_healthy_workers", dimensions: dimensions).record(
                    pool.health?.healthyWorkers ?? 0)
                if let desired = pool.desiredWorkers {
                    Gauge(label: "spool_pool_desired_workers", dimensions: dimensions).record(desired)
                }
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }

        router.get("/openapi.yaml") { _, _ -> Response in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
                let data = try? Data(contentsOf: url)
            else { throw Problem.notFound("openapi.yaml is not bundled with this build") }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }

        router.get("/v1/workers") { _, context -> Response in
            try requireOperator(context)
            var views: [WorkerView] = []
            for worker in try await store.workers() {
                // What each GPU's running jobs hold, from their placements (a job that cannot be read is skipped).
                var placements: [JobPlacement] = []
                for id in worker.running {
                    if let placement = try? await store.job(id)?.placement { placements.append(placement) }
                }
                views.append(WorkerView(worker, placements: placements))
            }
            return try JSONCoding.response(["workers": views])
        }
    }
}

extension SpoolAPI {
    /// Live workers that cannot read every folder this gateway accepts file:// inputs from: each such job would fail
    /// on them. Said in `/ready` (as a warning) and logged, so the mismatch shows when the processes start.
    func inputRootMismatch() async -> String? {
        let roots = configuration.inputPolicy.inputRoots
        guard !roots.isEmpty, let workers = try? await store.workers() else { return nil }
        let now = Date()
        let problems = workers.filter { now.timeIntervalSince($0.heartbeatAt) < 60 }.compactMap { worker -> String? in
            let missing = worker.missingInputRoots(of: roots)
            guard !missing.isEmpty else { return nil }
            return "worker \(worker.id) (pool \(worker.pool), host \(worker.host)) reads file:// inputs only under "
                + "\((worker.inputRoots ?? []).joined(separator: ", ")), not under \(missing.joined(separator: ", "))"
        }
        guard !problems.isEmpty else { return nil }
        let message =
            problems.sorted().joined(separator: "; ")
            + ": give the gateways and every worker the same --input-root"
        inputRootWarnings.report(message, logger: logger)
        return message
    }
}
