import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the webhook master secret comes from: `SPOOL_WEBHOOK_SECRET`, a file named in configuration, or else
/// `DATA/webhook-secret`, made once with 256 random bits. Every process of a deployment shares the data directory,
/// so all gateways sign alike without further set-up.
public enum WebhookMasterSecret {
    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case empty(path: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason):
                "cannot read the webhook secret at \(path): \(reason); fix the file or name another with --webhook-secret-file"
            case .empty(let path):
                "the webhook secret file \(path) is empty; put at least 32 random characters in it"
            }
        }
    }

    public static func load(environment: [String: String], file: String?, dataDirectory: String) throws -> String {
        if let value = environment["SPOOL_WEBHOOK_SECRET"], !value.isEmpty { return value }
        if let file { return try read(file) }
        let path = dataDirectory + "/webhook-secret"
        if !FileManager.default.fileExists(atPath: path) { try create(path) }
        return try read(path)
    }

    static func read(_ path: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LoadError.unreadable(path: path, reason: error.localizedDescription)
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw LoadError.empty(path: path) }
        return secret
    }

    /// Writes a fresh secret beside the final name and links it in: if two processes start together, the first link
    /// wins and both read the same secret.
    static func create(_ path: String) throws {
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { $0.hexString }
        let temporary = path + ".\(getpid()).tmp"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw LoadError.unreadable(path: path, reason: "cannot create \(temporary)")
        }
        defer { unlink(temporary) }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw LoadError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
