import Foundation

/// The UTC days a usage report covers: `from` through `to`, both `YYYY-MM-DD`, by default the last 30 days up to
/// today. Pure: today is passed in.
public struct UsageRange: Sendable, Equatable {
    /// The most days one report covers, so one request cannot make a store read years of counters.
    public static let maxDays = 366
    public static let defaultDays = 30

    public var from: String
    public var to: String
    /// Every day from `from` through `to`, oldest first.
    public var days: [String]

    /// - Throws: `SpecError` naming the field (`from` or `to`) that is not a date, or `from` when the range is
    ///   backwards or too long.
    public init(from: String?, to: String?, now: Date) throws(SpecError) {
        let end = try to.map { text throws(SpecError) in try Self.date(text, field: "to") } ?? Self.startOfDay(now)
        let start =
            try from.map { text throws(SpecError) in try Self.date(text, field: "from") }
            ?? end.addingTimeInterval(-Double(Self.defaultDays - 1) * 86_400)
        guard start <= end else {
            throw SpecError(field: "from", rule: "range", message: "must be on or before `to`")
        }
        let count = Int((end.timeIntervalSince(start) / 86_400).rounded()) + 1
        guard count <= Self.maxDays else {
            throw SpecError(
                field: "from", rule: "range", message: "a report covers at most \(Self.maxDays) days, asked \(count)")
        }
        self.from = TenantUsage.day(of: start)
        self.to = TenantUsage.day(of: end)
        self.days = (0..<count).map { TenantUsage.day(of: start.addingTimeInterval(Double($0) * 86_400)) }
    }

    static func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    /// `YYYY-MM-DD` as the start of that UTC day; anything else (another format, a day that does not exist) throws.
    static func date(_ text: String, field: String) throws(SpecError) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        guard text.count == 10, let date = formatter.date(from: text), TenantUsage.day(of: date) == text else {
            throw SpecError(field: field, rule: "format", message: "must be a UTC date as YYYY-MM-DD, got '\(text)'")
        }
        return date
    }
}
