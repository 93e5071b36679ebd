import Foundation

/// A page of jobs as the API shows it.
public struct JobListView: Codable, Sendable, Equatable {
    public var jobs: [JobView]
    public var nextCursor: String?

    public init(jobs: [JobView], nextCursor: String?) {
        self.jobs = jobs
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case jobs
        case nextCursor = "next_cursor"
    }
}
