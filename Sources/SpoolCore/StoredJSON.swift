import Foundation

/// How stores write jobs and workers as JSON: exact dates, sorted keys, non-finite numbers as strings. Shared by
/// every `JobStore`, so a job moves between stores unchanged.
public enum StoredJSON {
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        // Dates keep their exact Double (seconds since 2001), so a job read back compares equal to the job that
        // was written; seconds-since-1970 or ISO 8601 would round some values.
        encoder.dateEncodingStrategy = .deferredToDate
        // A NaN fps from a confused ffmpeg must not make a heartbeat fail to save.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

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
