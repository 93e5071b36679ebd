import Foundation
import SpoolCore

/// The opaque `next_cursor` of a listing: the sequence number of the last job on the page, versioned so that a
/// future format can tell old cursors apart. The same shape as the SQLite store's, so clients see one format.
enum ListCursor {
    private static let prefix = "v1:"

    static func encode(seq: Int64) -> String {
        Data((prefix + String(seq)).utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) throws -> Int64 {
        guard let data = Data(base64Encoded: cursor),
            let text = String(data: data, encoding: .utf8),
            text.hasPrefix(prefix),
            let seq = Int64(text.dropFirst(prefix.count)), seq > 0
        else {
            throw StoreError.invalidCursor(String(cursor.prefix(64)))
        }
        return seq
    }
}
