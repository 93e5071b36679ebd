import Foundation

/// The JSON form of pool events in the store and the API: snake_case keys from the types, ISO 8601 dates.
public enum PoolEventCoding {
    public static func encode(_ event: PoolEvent) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(event), as: UTF8.self)
    }

    public static func decode(_ json: String) throws -> PoolEvent {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(PoolEvent.self, from: Data(json.utf8))
    }
}
