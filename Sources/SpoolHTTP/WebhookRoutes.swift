import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore
import SpoolWebhooks

/// What a tenant needs to receive webhooks: the secret its deliveries are signed with, and each job's delivery.
extension SpoolAPI {
    func addWebhookRoutes(to router: Router<SpoolRequestContext>) {
        // The admin names the tenant (`?tenant=`); a tenant gets its own.
        router.get("/v1/webhooks/secret") { request, context -> Response in
            guard let signer = configuration.webhookSigner else {
                throw Problem.unavailable("this gateway sends no webhooks; start it with a webhook secret")
            }
            let tenant =
                context.caller.scope ?? request.uri.queryParameters.get("tenant").map(TenantID.init) ?? .default
            let view = WebhookSecretView(tenant: tenant, secret: signer.secret(for: tenant))
            var response = try JSONCoding.response(view)
            response.headers[.cacheControl] = "no-store"
            return response
        }

        router.get("/v1/jobs/{id}/webhook") { _, context -> Response in
            let job = try await requireJob(context)
            guard job.spec.callbackURL != nil else {
                throw Problem.notFound("job \(job.id) names no callback_url")
            }
            guard let delivery = try await store.webhookDelivery(for: job.id) else {
                throw Problem.notFound(
                    "job \(job.id) is \(job.state.rawValue); its webhook is queued when it succeeds, fails or is "
                        + "cancelled")
            }
            return try JSONCoding.response(delivery)
        }
    }
}
