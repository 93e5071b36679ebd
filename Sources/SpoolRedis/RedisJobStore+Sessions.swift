import Foundation
import RESPClient
import SpoolCore

extension RedisJobStore {
    func sessionKey(_ tokenHash: String) -> String { "\(keys.namespace):session:" + tokenHash }

    public func saveSession(_ session: WebSession, now: Date) async throws {
        let millis = max(Int((session.expiresAt.timeIntervalSince(now) * 1000).rounded(.up)), 1)
        try await call {
            try await client.send([
                "SET", .init(sessionKey(session.tokenHash)), .init(try StoredJSON.encode(session)), "PX", .init(millis),
            ])
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> WebSession? {
        let value = try await call { try await client.send(["GET", .init(sessionKey(tokenHash))]) }
        // Redis expires the key by its own clock; the check against `now` makes the answer the same for every store.
        guard let session = try value.string.map({ try StoredJSON.decode(WebSession.self, from: $0, what: "session") }),
            session.expiresAt > now
        else { return nil }
        return session
    }

    public func deleteSession(tokenHash: String) async throws {
        try await call { try await client.send(["DEL", .init(sessionKey(tokenHash))]) }
    }
}
