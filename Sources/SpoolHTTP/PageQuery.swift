import Hummingbird
import SpoolCore

/// `limit` and `cursor` of the list routes, read strictly: a limit is one whole number in its range (not
/// `1.26e-105`, not `Ü`, not given twice), and an empty cursor is the first page.
enum PageQuery {
    static func limit(_ query: Parameters, range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        let given = query.getAll("limit")
        guard given.count <= 1 else {
            throw Problem.badRequest(SpecError(field: "limit", rule: "single", message: "give limit once"))
        }
        guard let text = given.first else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.badRequest(
                SpecError(
                    field: "limit", rule: "range",
                    message: "limit must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
        }
        return value
    }

    static func cursor(_ query: Parameters) throws -> String? {
        let given = query.getAll("cursor")
        guard given.count <= 1 else {
            throw Problem.badRequest(SpecError(field: "cursor", rule: "single", message: "give cursor once"))
        }
        return given.first.flatMap { $0.isEmpty ? nil : $0 }
    }
}
