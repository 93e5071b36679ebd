import Foundation
import SpoolAPIModels
import SpoolCore

extension SpoolClient {
    /// The secret the caller's deliveries are signed with; the admin names the tenant.
    public func webhookSecret(tenant: String? = nil) async throws -> WebhookSecretView {
        let query = tenant.flatMap { $0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) }
        return try await send("GET", "/v1/webhooks/secret" + (query.map { "?tenant=" + $0 } ?? ""))
    }

    /// Where a job's webhook delivery stands.
    public func webhookDelivery(_ id: JobID) async throws -> WebhookDelivery {
        try await send("GET", "/v1/jobs/\(id.rawValue)/webhook")
    }
}
