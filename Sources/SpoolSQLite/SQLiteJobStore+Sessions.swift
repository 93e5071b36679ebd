import Foundation
import GRDB
import SpoolCore

extension SQLiteJobStore {
    public func saveSession(_ session: WebSession, now: Date) async throws {
        let body = try StoredJSON.encode(session)
        try await write { db in
            // Expired sessions go whenever a new one comes, so the table stays the size of the signed-in users.
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [now.timeIntervalSince1970])
            try db.execute(
                sql: "INSERT OR REPLACE INTO sessions (token_hash, expires_at, body) VALUES (?, ?, ?)",
                arguments: [session.tokenHash, session.expiresAt.timeIntervalSince1970, body])
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> WebSession? {
        try await read { db in
            try String.fetchOne(
                db, sql: "SELECT body FROM sessions WHERE token_hash = ? AND expires_at > ?",
                arguments: [tokenHash, now.timeIntervalSince1970]
            ).map { try StoredJSON.decode(WebSession.self, from: $0, what: "session") }
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [tokenHash])
        }
    }
}
