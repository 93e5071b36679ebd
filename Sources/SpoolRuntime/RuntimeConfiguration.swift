import Foundation
import SpoolWorker

/// What a long-running process runs with, from flags or from a file (`--config FILE`, JSON), with the environment
/// overriding either. Every section and every field of the file is optional: what it leaves out keeps its default.
///
///     {"store": {"data": "/mnt/spool", "redis": "redis://10.0.0.5:6379", "redis_shards": 8},
///      "worker": {"lease_seconds": 30, "input_cache_bytes": 1073741824}}
///
/// Environment variables: `SPOOL_DATA`, `SPOOL_REDIS`, `SPOOL_REDIS_NAMESPACE`, `SPOOL_REDIS_SHARDS`,
/// `SPOOL_MAX_ATTEMPTS`, `SPOOL_LEASE_SECONDS`, `SPOOL_SHUTDOWN_GRACE`, `SPOOL_STALL_TIMEOUT`,
/// `SPOOL_MAX_JOB_SECONDS`, `SPOOL_DISPATCH`, `SPOOL_DEDUPLICATE`, `SPOOL_INPUT_CACHE_DIR`,
/// `SPOOL_INPUT_CACHE_BYTES` (the Kubernetes way: one image, settings from the pod's environment).
public struct RuntimeConfiguration: Codable, Sendable, Equatable {
    public var store: StoreSettings
    public var worker: WorkerSettings

    public init(store: StoreSettings = StoreSettings(), worker: WorkerSettings = WorkerSettings()) {
        self.store = store
        self.worker = worker
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        store = try c.decodeIfPresent(StoreSettings.self, forKey: .store) ?? StoreSettings()
        worker = try c.decodeIfPresent(WorkerSettings.self, forKey: .worker) ?? WorkerSettings()
    }

    /// The settings in `path`, with unknown keys refused (a misspelt key would otherwise be silently ignored).
    public static func load(file path: String) throws(RuntimeConfigurationError) -> RuntimeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        do {
            try UnknownKeys.check(data)
            return try JSONDecoder().decode(RuntimeConfiguration.self, from: data)
        } catch let error as RuntimeConfigurationError {
            throw error
        } catch {
            throw .invalid(path: path, reason: "\(error)")
        }
    }

    /// The same settings with every `SPOOL_…` variable of `environment` applied over them.
    public func overridden(by environment: [String: String]) throws(RuntimeConfigurationError) -> RuntimeConfiguration {
        var result = self
        func int(_ name: String) throws(RuntimeConfigurationError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw .badVariable(name: name, value: text, expected: "a whole number ≥ 0")
            }
            return value
        }
        if let value = environment["SPOOL_DATA"], !value.isEmpty { result.store.data = value }
        if let value = environment["SPOOL_REDIS"] { result.store.redis = value.isEmpty ? nil : value }
        if let value = environment["SPOOL_REDIS_NAMESPACE"], !value.isEmpty { result.store.redisNamespace = value }
        if let value = try int("SPOOL_REDIS_SHARDS") { result.store.redisShards = value }
        if let value = try int("SPOOL_MAX_ATTEMPTS") { result.store.maxAttempts = value }
        if let value = try int("SPOOL_LEASE_SECONDS") { result.worker.leaseSeconds = value }
        if let value = try int("SPOOL_SHUTDOWN_GRACE") { result.worker.shutdownGraceSeconds = value }
        if let value = try int("SPOOL_STALL_TIMEOUT") { result.worker.stallTimeoutSeconds = value }
        if let value = try int("SPOOL_MAX_JOB_SECONDS") { result.worker.maxJobSeconds = value }
        if let value = try int("SPOOL_INPUT_CACHE_BYTES") { result.worker.inputCacheBytes = Int64(value) }
        if let value = environment["SPOOL_INPUT_CACHE_DIR"], !value.isEmpty {
            result.worker.inputCacheDirectory = value
        }
        if let text = environment["SPOOL_DISPATCH"] {
            guard let mode = DispatchMode(rawValue: text) else {
                throw .badVariable(name: "SPOOL_DISPATCH", value: text, expected: "placed or pull")
            }
            result.worker.dispatch = mode
        }
        if let text = environment["SPOOL_DEDUPLICATE"] {
            switch text.lowercased() {
            case "1", "true", "yes", "on": result.worker.deduplicate = true
            case "0", "false", "no", "off": result.worker.deduplicate = false
            default: throw .badVariable(name: "SPOOL_DEDUPLICATE", value: text, expected: "true or false")
            }
        }
        try result.validate()
        return result
    }

    /// The rules flags are held to, for settings that came from a file or the environment.
    public func validate() throws(RuntimeConfigurationError) {
        guard store.maxAttempts >= 1 else { throw .outOfRange(field: "store.max_attempts", rule: "at least 1") }
        guard (1...256).contains(store.redisShards) else {
            throw .outOfRange(field: "store.redis_shards", rule: "1…256")
        }
        guard worker.leaseSeconds >= 1 else { throw .outOfRange(field: "worker.lease_seconds", rule: "at least 1") }
    }
}

/// Why settings from a file or the environment are refused, naming what to fix.
public enum RuntimeConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case invalid(path: String, reason: String)
    case unknownKey(String)
    case badVariable(name: String, value: String, expected: String)
    case outOfRange(field: String, rule: String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read the configuration file \(path)"
        case .invalid(let path, let reason): "\(path) is not a valid configuration: \(reason)"
        case .unknownKey(let key):
            "unknown configuration key \"\(key)\"; the file takes store.{data, redis, redis_namespace, redis_shards, "
                + "redis_breaker_failures, redis_breaker_cooldown, max_attempts} and worker.{stall_timeout_seconds, "
                + "max_job_seconds, lease_seconds, shutdown_grace_seconds, dispatch, deduplicate, input_cache_dir, "
                + "input_cache_bytes}"
        case .badVariable(let name, let value, let expected): "\(name)=\(value) is not \(expected)"
        case .outOfRange(let field, let rule): "\(field) must be \(rule)"
        }
    }
}

/// Refuses keys the configuration does not know, at any level.
enum UnknownKeys {
    static let known: [String: Set<String>] = [
        "": ["store", "worker"],
        "store": Set(StoreSettings.CodingKeys.allCases.map(\.rawValue)),
        "worker": Set(WorkerSettings.CodingKeys.allCases.map(\.rawValue)),
    ]

    static func check(_ data: Data) throws {
        guard let top = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RuntimeConfigurationError.invalid(path: "the file", reason: "the top level must be an object")
        }
        for (key, value) in top {
            guard known[""]!.contains(key) else { throw RuntimeConfigurationError.unknownKey(key) }
            guard let section = value as? [String: Any] else { continue }
            for inner in section.keys where !known[key]!.contains(inner) {
                throw RuntimeConfigurationError.unknownKey(key + "." + inner)
            }
        }
    }
}
