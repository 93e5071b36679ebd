import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore

extension SpoolAPI {
    /// `/v1/admin/tenants`: the admin key only (the access middleware refuses everyone else).
    func addAdminRoutes(to router: Router<SpoolRequestContext>) {
        router.post("/v1/admin/tenants") { request, _ -> Response in
            let body = try await JSONCoding.decode(TenantRequest.self, from: request, limit: configuration.maxJSONBytes)
            let id: TenantID
            let limits: TenantLimits
            do throws(SpecError) {
                id = try body.validatedID()
                limits = try (body.limits ?? TenantLimits()).validated()
            } catch {
                throw Problem.badRequest(error)
            }
            let key = APIKeys.generate()
            let tenant = Tenant(
                id: id, keyHash: APIKeys.hash(key), keyHint: APIKeys.hint(key), limits: limits, createdAt: Date())
            do {
                try await store.createTenant(tenant)
            } catch let error as TenantStoreError {
                throw Problem.conflict(error.description, rule: "tenant_exists")
            }
            return try JSONCoding.response(
                TenantView(tenant, apiKey: key), status: .created,
                headers: [.location: "/v1/admin/tenants/\(id.rawValue)", .cacheControl: "no-store"])
        }

        router.get("/v1/admin/tenants") { _, _ -> Response in
            try JSONCoding.response(["tenants": try await store.tenants().map { TenantView($0) }])
        }

        router.get("/v1/admin/tenants/{id}") { _, context -> Response in
            try JSONCoding.response(TenantView(try await requireTenant(context)))
        }

        router.patch("/v1/admin/tenants/{id}") { request, context -> Response in
            var tenant = try await requireTenant(context)
            let update = try await JSONCoding.decode(
                TenantLimits.self, from: request, limit: configuration.maxJSONBytes)
            do throws(SpecError) {
                tenant = tenant.withLimits(try tenant.limits.merged(with: update).validated(), now: Date())
            } catch {
                throw Problem.badRequest(error)
            }
            try await store.updateTenant(tenant)
            tenantKeys.forget()
            return try JSONCoding.response(TenantView(tenant))
        }

        router.post("/v1/admin/tenants/{id}/rotate-key") { _, context -> Response in
            var tenant = try await requireTenant(context)
            let key = APIKeys.generate()
            tenant.keyHash = APIKeys.hash(key)
            tenant.keyHint = APIKeys.hint(key)
            try await store.updateTenant(tenant)
            tenantKeys.forget()
            return try JSONCoding.response(TenantView(tenant, apiKey: key), headers: [.cacheControl: "no-store"])
        }

        router.delete("/v1/admin/tenants/{id}") { _, context -> Response in
            let tenant = try await requireTenant(context)
            try await store.deleteTenant(tenant.id)
            tenantKeys.forget()
            return Response(status: .noContent)
        }
    }

    func requireTenant(_ context: SpoolRequestContext) async throws -> Tenant {
        let id = TenantID(rawValue: try context.parameters.require("id"))
        guard let tenant = try await store.tenant(id) else {
            throw Problem.notFound(TenantStoreError.notFound(id).description)
        }
        return tenant
    }

    /// Pools and workers are the operator's: the admin, or the local caller of a keyless server.
    func requireOperator(_ context: SpoolRequestContext) throws {
        switch context.caller {
        case .admin, .local: return
        case .anonymous, .tenant:
            throw Problem.forbidden("managing pools and listing workers needs the admin key", rule: "admin_only")
        }
    }
}
