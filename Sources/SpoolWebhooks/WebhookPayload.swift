import Foundation
import SpoolAPIModels
import SpoolCore

/// The body of a delivery: which event, about which job, as `GET /v1/jobs/{id}` shows it.
public struct WebhookPayload: Codable, Sendable, Equatable {
    /// Stable across the tries of one delivery, so a receiver can ignore repeats.
    public var id: String
    /// `job.succeeded`, `job.failed` or `job.cancelled`.
    public var type: String
    public var createdAt: Date
    public var job: JobView

    public init(job: Job, layout: DataLayout, now: Date) {
        id = "\(job.id.rawValue).\(job.attempt).\(job.state.rawValue)"
        type = "job." + job.state.rawValue
        createdAt = now
        self.job = JobView(job, layout: layout)
    }

    enum CodingKeys: String, CodingKey {
        case id, type, job
        case createdAt = "created_at"
    }
}
