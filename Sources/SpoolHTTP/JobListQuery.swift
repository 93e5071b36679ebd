import Hummingbird
import SpoolCore

/// The filters of `GET /v1/jobs` and its live twin `GET /v1/jobs/events`: state and tenant select what the store
/// reads; pool is applied to the page read (so a page may hold fewer jobs than its limit; follow `next_cursor`).
struct JobListQuery: Sendable {
    var filter: JobFilter
    var pool: String?

    init(_ query: Parameters, caller: Caller, defaultLimit: Int = 50) throws {
        filter = JobFilter(tenant: caller.scope)
        if let state = query.get("state") {
            guard let parsed = JobState(rawValue: state) else {
                let states = JobState.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.badRequest(
                    SpecError(field: "state", rule: "enum", message: "state must be one of \(states)"))
            }
            filter.state = parsed
        }
        if let tenant = query.get("tenant") {
            guard !tenant.isEmpty else {
                throw Problem.badRequest(
                    SpecError(
                        field: "tenant", rule: "non_empty", message: "tenant must name a tenant; leave it out for all"))
            }
            let asked = TenantID(rawValue: tenant)
            // A tenant may name itself; only the admin may look at another tenant's jobs.
            guard caller.sees(asked) else {
                throw Problem.forbidden(
                    "only the admin key lists another tenant's jobs; leave tenant out to list your own",
                    rule: "tenant_scope")
            }
            filter.tenant = asked
        }
        if let pool = query.get("pool") {
            guard !pool.isEmpty else {
                throw Problem.badRequest(
                    SpecError(field: "pool", rule: "non_empty", message: "pool must name a pool; leave it out for all"))
            }
            self.pool = pool
        }
        filter.limit = try PageQuery.limit(query, range: 1...500, default: defaultLimit)
        filter.cursor = try PageQuery.cursor(query)
    }

    /// The jobs of a page that the list shows: not segment tasks (they show under their job), and in the pool asked.
    func shown(_ jobs: [Job]) -> [Job] {
        jobs.filter { job in
            job.spec.segment == nil && (pool == nil || (job.pool ?? job.spec.pool) == pool)
        }
    }
}
