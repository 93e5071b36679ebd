import Foundation

/// Reading jobs: one by id, pages of them, counts per state. Every role that shows or checks jobs needs it.
public protocol JobReading: Sendable {
    func job(_ id: JobID) async throws -> Job?
    func list(_ filter: JobFilter) async throws -> JobPage
    /// Counts jobs per state (for metrics and readiness).
    func countByState() async throws -> [JobState: Int]
}
