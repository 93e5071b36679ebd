import Foundation
import SpoolCore

/// Signed-in browsers' sessions by token hash, dropped once expired.
extension InMemoryJobStore {
    public func saveSession(_ session: WebSession, now: Date) async throws {
        // Expired sessions go whenever a new one comes, so the table stays the size of the signed-in users.
        sessions = sessions.filter { $0.value.expiresAt > now }
        sessions[session.tokenHash] = session
    }

    public func session(tokenHash: String, now: Date) async throws -> WebSession? {
        sessions[tokenHash].flatMap { $0.expiresAt > now ? $0 : nil }
    }

    public func deleteSession(tokenHash: String) async throws {
        sessions[tokenHash] = nil
    }
}
