import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore
import SpoolPools

extension SpoolAPI {
    func addPoolRoutes(to router: Router<SpoolRequestContext>) {
        router.get("/v1/pools") { _, _ -> Response in
            try JSONCoding.response(["pools": try await poolViews()])
        }

        router.post("/v1/pools") { request, context -> Response in
            try requireOperator(context)
            let body = try await JSONCoding.decode(PoolRequest.self, from: request, limit: configuration.maxJSONBytes)
            let spec: PoolSpec
            do {
                spec = try body.validated(now: Date(), instanceTypes: configuration.instanceTypes)
            } catch let error as SpecError {
                throw Problem.badRequest(error)
            }
            if let owner = try await builtInOwner(of: spec.name) {
                throw Problem.conflict(
                    "pool \(spec.name) is built in (\(owner)); it cannot be created, replaced or destroyed through the "
                        + "API. Choose another name for a managed pool",
                    rule: "pool_builtin")
            }
            do {
                try await store.createPool(spec)
            } catch let error as PoolStoreError {
                throw Problem.conflict(error.description, rule: "pool_exists")
            }
            return try JSONCoding.response(try await poolView(spec.name), status: .created)
        }

        router.get("/v1/pools/{name}") { _, context -> Response in
            let name = try context.parameters.require("name")
            return try JSONCoding.response(try await poolView(name))
        }

        router.patch("/v1/pools/{name}") { request, context -> Response in
            try requireOperator(context)
            let pool = try await requireManagedPool(context)
            let resize = try await JSONCoding.decode(PoolResize.self, from: request, limit: configuration.maxJSONBytes)
            guard pool.phase == .active else {
                throw Problem.conflict(
                    "pool \(pool.name) is \(pool.phase.rawValue); it cannot be resized", rule: "pool_closing")
            }
            let resized: PoolSpec
            do {
                resized = try resize.applied(to: pool)
            } catch let error as SpecError {
                throw Problem.badRequest(error)
            }
            try await updatePool(resized)
            return try JSONCoding.response(try await poolView(pool.name))
        }

        router.post("/v1/pools/{name}/drain") { _, context -> Response in
            try requireOperator(context)
            var pool = try await requireManagedPool(context)
            if pool.phase == .active {
                pool.phase = .draining
                try await updatePool(pool)
            }
            return try JSONCoding.response(try await poolView(pool.name), status: .accepted)
        }

        router.post("/v1/pools/{name}/rebalance") { _, context -> Response in
            try requireOperator(context)
            let name = try context.parameters.require("name")
            let moved = try await store.moveQueuedJobs(from: name, now: Date())
            workSignal?.notify()
            return try JSONCoding.response(RebalanceView(pool: name, moved: moved))
        }

        router.delete("/v1/pools/{name}") { request, context -> Response in
            try requireOperator(context)
            var pool = try await requireManagedPool(context)
            let force = request.uri.queryParameters.get("force").map { $0 == "true" || $0 == "1" } ?? false
            let running = try await store.workers().filter { $0.pool == pool.name }.reduce(0) { $0 + $1.running.count }
            if running > 0, !force {
                throw Problem.conflict(
                    "pool \(pool.name) runs \(running) job(s); drain it (POST /v1/pools/\(pool.name)/drain) to let "
                        + "them finish, or destroy with ?force=true to hand them back to the queue",
                    rule: "pool_busy")
            }
            pool.phase = .destroying
            try await updatePool(pool)
            return try JSONCoding.response(try await poolView(pool.name), status: .accepted)
        }

        router.get("/v1/pools/{name}/decisions") { request, context -> Response in
            let name = try context.parameters.require("name")
            let limit = try PageQuery.limit(request.uri.queryParameters, range: 1...1000, default: 50)
            let records = try await store.scalingDecisions(pool: name, limit: limit)
            // A destroyed pool keeps its decisions (why it was removed); a name nothing knows is a 404.
            if records.isEmpty, try await store.pool(named: name) == nil, try await builtInOwner(of: name) == nil {
                throw Problem.notFound("no pool named \(name) and no decisions recorded for one (`spool pools`)")
            }
            return try JSONCoding.response(
                PoolEventList(events: records.compactMap { try? PoolEventCoding.decode($0.json) }))
        }

        router.get("/v1/pools/{name}/history") { _, context -> Response in
            let pool = try await requireManagedPool(context)
            return try JSONCoding.response(DemandHistoryImport(samples: try await store.demandHistory(pool: pool.name)))
        }

        router.put("/v1/pools/{name}/history") { request, context -> Response in
            try requireOperator(context)
            var pool = try await requireManagedPool(context)
            let body = try await JSONCoding.decode(
                DemandHistoryImport.self, from: request, limit: max(configuration.maxJSONBytes, 4 << 20))
            let now = Date()
            let samples: [DemandSample]
            do {
                samples = try body.validated(now: now)
            } catch let error as SpecError {
                throw Problem.badRequest(error)
            }
            try await store.recordDemand(
                samples, pool: pool.name, keepFrom: now.addingTimeInterval(-DemandSample.retention))
            // The pool manager makes the pool's autoscaler anew from the stored history when it sees this change.
            pool.demandImportedAt = now
            try await updatePool(pool)
            return try JSONCoding.response(DemandHistoryImport(samples: try await store.demandHistory(pool: pool.name)))
        }

        router.get("/v1/autoscaler/decisions") { request, _ -> Response in
            try await decisions(pool: nil, request: request)
        }
    }

    func decisions(pool: String?, request: Request) async throws -> Response {
        let limit = try PageQuery.limit(request.uri.queryParameters, range: 1...1000, default: 50)
        let records = try await store.scalingDecisions(pool: pool, limit: limit)
        let events = records.compactMap { try? PoolEventCoding.decode($0.json) }
        return try JSONCoding.response(PoolEventList(events: events))
    }

    /// Who runs a pool that the API does not manage: this server's own workers, or workers started by hand. Nil for
    /// a name no worker serves (free for a managed pool) and for a managed pool (its own workers register under it).
    func builtInOwner(of name: String) async throws -> String? {
        if configuration.builtInPools.contains(name) { return "this server runs its workers" }
        guard try await store.pool(named: name) == nil else { return nil }
        return try await store.workers().contains { $0.pool == name } ? "workers started outside the API serve it" : nil
    }

    /// Every pool a job may name: managed pools, this server's own, and those of registered workers.
    func knownPools() async throws -> Set<String> {
        configuration.builtInPools.union(try await store.pools().map(\.name))
            .union(try await store.workers().map(\.pool))
    }

    func requireManagedPool(_ context: SpoolRequestContext) async throws -> PoolSpec {
        let name = try context.parameters.require("name")
        guard let pool = try await store.pool(named: name) else {
            throw Problem.notFound(
                "no pool named \(name) was created through the API (pools of `spool serve` and of workers started by "
                    + "hand are not managed); `spool pools` lists them")
        }
        return pool
    }

    func updatePool(_ pool: PoolSpec) async throws {
        do {
            try await store.updatePool(pool)
        } catch let error as PoolStoreError {
            throw Problem.notFound(error.description)
        }
    }

    func poolView(_ name: String) async throws -> PoolView {
        guard let view = try await poolViews().first(where: { $0.name == name }) else {
            throw Problem.notFound("no pool named \(name); `spool pools` lists them")
        }
        return view
    }

    /// Pools created through the API and pools that exist because workers registered in them, merged by name.
    func poolViews() async throws -> [PoolView] {
        let now = Date()
        let specs = Dictionary(uniqueKeysWithValues: try await store.pools().map { ($0.name, $0) })
        let workers = try await store.workers()
        let byPool = Dictionary(grouping: workers, by: \.pool)
        // Only created pools have decisions: the newest of each, however long ago it was made.
        var latest: [String: PoolEvent] = [:]
        for name in specs.keys {
            latest[name] = try await store.scalingDecisions(pool: name, limit: 1).first.flatMap {
                try? PoolEventCoding.decode($0.json)
            }
        }
        let timeout = configuration.workerTimeoutSeconds
        return Set(specs.keys).union(byPool.keys).sorted().map { name in
            let members = byPool[name] ?? []
            let live = members.filter { now.timeIntervalSince($0.heartbeatAt) <= timeout }
            let spec = specs[name]
            let kind = spec?.kind ?? members[0].poolKind
            let summary =
                members.compactMap(\.devices).first.flatMap { devices in
                    PoolPlanner.pools(for: devices).first { $0.kind == kind }?.summary
                } ?? (spec.map { "\(kind.rawValue), \($0.minWorkers)–\($0.maxWorkers) workers" } ?? kind.rawValue)
            let event = latest[name]
            return PoolView(
                name: name, kind: kind, summary: summary, workers: live.count,
                slots: live.reduce(0) { $0 + $1.slots }, running: live.reduce(0) { $0 + $1.running.count },
                spec: spec, desiredWorkers: event?.decision?.desiredWorkers, lastEvent: event?.description,
                health: PoolHealth(workers: members, now: now, heartbeatTimeout: timeout))
        }
    }
}
