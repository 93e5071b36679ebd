import Foundation
import SortedJSON

/// How stores write jobs and workers as JSON: exact dates, sorted keys, non-finite numbers as strings. Shared by
/// every `JobStore`, so a job moves between stores unchanged.
public enum StoredJSON {
    public static func encode(_ value: some Encodable) throws -> String {
        try encoder.encodeToString(value)
    }

    /// What Foundation's `JSONEncoder` writes with sorted keys and unescaped slashes, byte for byte, in less time: every
    /// submission, placement, heartbeat and commit writes a job.
    private static let encoder = SortedJSONEncoder(
        // Dates keep their exact Double (seconds since 2001), so a job read back compares equal to the job that
        // was written; seconds-since-1970 or ISO 8601 would round some values.
        dates: .secondsSinceReferenceDate,
        // A NaN fps from a confused ffmpeg must not make a heartbeat fail to save.
        nonConformingFloats: .strings(positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan"))

    /// Decodes a stored body. A body that does not decode is damage (or a newer format), not a caller mistake.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, what: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("\(what): \(error)")
        }
    }
}
