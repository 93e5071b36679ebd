import Foundation
import SortedJSON

/// How the API writes and reads JSON (ISO 8601 dates, sorted keys, unescaped slashes). The server's answers and
/// webhook bodies come from `sortedEncoder`, so a delivery shows a job exactly as `GET /v1/jobs/{id}` does; `encoder`
/// writes the same bytes, for clients and tools.
public enum APIJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The JSON `encoder` writes, byte for byte, in less time: what the server answers and delivers.
    public static let sortedEncoder = SortedJSONEncoder(dates: .iso8601)

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
