import Foundation

/// The opaque `next_cursor` of a listing: the submission sequence number of the last job on the page, versioned so
/// that a future format can tell old cursors apart. Every store that pages by sequence uses it, so clients see one
/// format. Sequence numbers start at 1; a cursor of 0 is well formed and pages past the oldest job (an empty page).
public enum ListCursor {
    private static let prefix = "v1:"

    public static func encode(seq: Int64) -> String {
        Data((prefix + String(seq)).utf8).base64EncodedString()
    }

    public static func decode(_ cursor: String) throws -> Int64 {
        guard let data = Data(base64Encoded: cursor),
            let text = String(data: data, encoding: .utf8),
            text.hasPrefix(prefix),
            let seq = Int64(text.dropFirst(prefix.count)), seq >= 0
        else {
            throw StoreError.invalidCursor(String(cursor.prefix(64)))
        }
        return seq
    }
}
