import Foundation

/// The CSV `spool pools import-history` reads: one interval per line, `start,peak`, where `start` is an ISO 8601 time
/// (`2026-12-01T09:15:00Z`) or seconds since 1970 and `peak` the most jobs waiting or running in the interval. A
/// header line naming the columns, blank lines and lines starting with `#` are skipped.
public enum DemandHistoryCSV {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    public static func parse(_ text: String) throws(ParseError) -> [DemandSample] {
        var samples: [DemandSample] = []
        for (offset, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if samples.isEmpty, fields.first?.lowercased() == "start" { continue }
            guard fields.count == 2 else {
                throw ParseError(line: offset + 1, reason: "expected two columns, start,peak; found \(fields.count)")
            }
            guard let start = date(fields[0]) else {
                throw ParseError(
                    line: offset + 1, reason: "'\(fields[0])' is neither an ISO 8601 time nor seconds since 1970")
            }
            guard let peak = Double(fields[1]), peak.isFinite else {
                throw ParseError(line: offset + 1, reason: "'\(fields[1])' is not a number of jobs")
            }
            samples.append(DemandSample(start: start, peak: peak))
        }
        return samples
    }

    static func date(_ text: String) -> Date? {
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
