import Crypto
import Foundation
import SpoolCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A worker's local cache of downloaded `http(s)://` inputs: filled ahead of time by the warmer and by ordinary
/// downloads, read by attempts instead of fetching again. Entries are used for `maxAge` only (an origin may change
/// what a URL serves) and the oldest go first once the cache is over its byte budget. It is a cache: its directory
/// is emptied when the worker starts.
public final class InputCache: Sendable {
    struct Entry: Sendable {
        var uri: String
        var bytes: Int64
        var storedAt: Date
        var usedAt: Date
    }

    public let directory: String
    public let budgetBytes: Int64
    public let maxAge: TimeInterval
    private let entries = Mutex<[String: Entry]>([:])

    public init(directory: String, budgetBytes: Int64, maxAge: TimeInterval = 900) throws {
        self.directory = directory
        self.budgetBytes = budgetBytes
        self.maxAge = maxAge
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    static func name(for uri: String) -> String {
        SHA256.hash(data: Data(uri.utf8)).hexString
    }

    func path(for uri: String) -> String { directory + "/" + Self.name(for: uri) }

    /// Input URIs held and still fresh, most recently used first (what the worker reports for locality).
    public func held(now: Date = Date(), limit: Int = 256) -> [String] {
        entries.withLock { entries in
            entries.values.filter { now.timeIntervalSince($0.storedAt) < maxAge }
                .sorted { $0.usedAt > $1.usedAt }.prefix(limit).map(\.uri)
        }
    }

    public func contains(_ uri: String, now: Date = Date()) -> Bool {
        entries.withLock { $0[Self.name(for: uri)].map { now.timeIntervalSince($0.storedAt) < maxAge } ?? false }
    }

    /// Links (or copies) a fresh cached copy of `uri` to `destination`; false when there is none.
    func copy(_ uri: String, to destination: String, now: Date = Date()) -> Bool {
        let name = Self.name(for: uri)
        let fresh = entries.withLock { entries -> Bool in
            guard var entry = entries[name], now.timeIntervalSince(entry.storedAt) < maxAge else { return false }
            entry.usedAt = now
            entries[name] = entry
            return true
        }
        guard fresh else { return false }
        let source = directory + "/" + name
        try? FileManager.default.removeItem(atPath: destination)
        if link(source, destination) == 0 { return true }
        return (try? FileManager.default.copyItem(atPath: source, toPath: destination)) != nil
    }

    /// Takes a downloaded file into the cache (by link, so the attempt keeps its copy), then trims to the budget.
    func adopt(_ uri: String, from file: String, now: Date = Date()) {
        guard budgetBytes > 0 else { return }
        let name = Self.name(for: uri)
        let target = directory + "/" + name
        let temporary = target + ".\(UUID().uuidString).tmp"
        guard link(file, temporary) == 0 || (try? FileManager.default.copyItem(atPath: file, toPath: temporary)) != nil
        else { return }
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            return
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int64) ?? 0
        let evicted = entries.withLock { entries -> [String] in
            entries[name] = Entry(uri: uri, bytes: bytes, storedAt: now, usedAt: now)
            var total = entries.values.reduce(0) { $0 + $1.bytes }
            var evicted: [String] = []
            for (key, entry) in entries.sorted(by: { $0.value.usedAt < $1.value.usedAt })
            where total > budgetBytes || now.timeIntervalSince(entry.storedAt) >= maxAge {
                total -= entry.bytes
                entries[key] = nil
                evicted.append(key)
            }
            return evicted
        }
        for key in evicted { unlink(directory + "/" + key) }
    }
}
