import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore

extension SpoolAPI {
    /// `/v1/tenants/{id}`: what a tenant may read about itself. A tenant sees only its own usage (another tenant's
    /// answers 404, like its jobs); the admin and a keyless server's local caller see any.
    func addTenantRoutes(to router: Router<SpoolRequestContext>) {
        router.get("/v1/tenants/{id}/usage") { request, context -> Response in
            let id = TenantID(rawValue: try context.parameters.require("id"))
            guard context.caller.sees(id) || context.caller == .local else {
                throw Problem.notFound(TenantStoreError.notFound(id).description)
            }
            if id != .default, try await store.tenant(id) == nil {
                throw Problem.notFound(TenantStoreError.notFound(id).description)
            }
            let query = request.uri.queryParameters
            let range: UsageRange
            do throws(SpecError) {
                range = try UsageRange(
                    from: query["from"].map(String.init), to: query["to"].map(String.init), now: Date())
            } catch {
                throw Problem.badRequest(error)
            }
            let usage = try await store.usage(tenant: id, days: range.days)
            return try JSONCoding.response(TenantUsageView(tenant: id, range: range, usage: usage))
        }
    }
}
