import Foundation

/// How long a finished job, its outputs and its upload are kept. The window is fixed when the job is submitted (from
/// the job's `retain_days`, else its tenant's, else the server's `--retention-days`), so changing a default later
/// never shortens what a client was promised.
public struct RetentionPolicy: Codable, Sendable, Equatable {
    /// Ten years: a window past it is a typo, not a policy.
    public static let maximumDays: Double = 3650
    /// What a server keeps without being told otherwise: thirty days of results, ninety of dead letters.
    public static let standard = RetentionPolicy(days: 30, deadLetterDays: 90)

    /// Days a succeeded, failed or cancelled job is kept after it finished. Fractions are allowed (tests use
    /// seconds' worth).
    public var days: Double
    /// Days a dead-lettered job (failed after its retries) is kept, so an operator has time to look and retry it;
    /// never less than `days`.
    public var deadLetterDays: Double

    public init(days: Double, deadLetterDays: Double) {
        self.days = days
        self.deadLetterDays = deadLetterDays
    }

    enum CodingKeys: String, CodingKey {
        case days
        case deadLetterDays = "dead_letter_days"
    }

    /// When a job that finished at `finishedAt` expires.
    public func expiry(finishedAt: Date, deadLettered: Bool) -> Date {
        let window = deadLettered ? max(days, deadLetterDays) : days
        return finishedAt.addingTimeInterval(window * 86_400)
    }

    /// This policy with the job's own window, when the request gave one.
    public func overridden(days: Double?) -> RetentionPolicy {
        RetentionPolicy(days: days ?? self.days, deadLetterDays: deadLetterDays)
    }

    /// Checks a window given in a request, a tenant or a flag.
    public static func validate(days: Double, field: String) throws(SpecError) {
        guard days > 0, days <= maximumDays, days.isFinite else {
            throw SpecError(
                field: field, rule: "range",
                message:
                    "\(field) must be above 0 and at most \(Int(maximumDays)) days (fractions allowed), got \(days)")
        }
    }
}
