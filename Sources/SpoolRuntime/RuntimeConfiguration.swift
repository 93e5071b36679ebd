import Foundation
import SpoolWorker

/// What a long-running process runs with, from flags or from a file (`--config FILE`, JSON), with the environment
/// overriding either. Every section and every field of the file is optional: what it leaves out keeps its default.
///
///     {"store": {"data": "/mnt/spool", "redis": "redis://10.0.0.5:6379", "redis_shards": 8},
///      "worker": {"lease_seconds": 30, "input_cache_bytes": 1073741824},
///      "api": {"host": "0.0.0.0", "port": 8080, "admin_key_file": "/run/secrets/admin-key"},
///      "control_plane": {"actuator": "gauge", "lease_ttl_seconds": 6},
///      "webhooks": {"attempts": 10}}
///
/// Given a file, its settings replace the flags of every section. Environment variables: `SPOOL_HOST`, `SPOOL_PORT`,
/// `SPOOL_ACTUATOR`, `SPOOL_DATA`, `SPOOL_STORAGE`, `SPOOL_S3_ENDPOINT`, `AWS_REGION`, `SPOOL_REDIS`, `SPOOL_REDIS_NAMESPACE`, `SPOOL_REDIS_SHARDS`, `SPOOL_REDIS_WAIT_REPLICAS`,
/// `SPOOL_MAX_ATTEMPTS`, `SPOOL_LEASE_SECONDS`, `SPOOL_SHUTDOWN_GRACE`, `SPOOL_STALL_TIMEOUT`,
/// `SPOOL_MAX_JOB_SECONDS`, `SPOOL_DISPATCH`, `SPOOL_DEDUPLICATE`, `SPOOL_INPUT_CACHE_DIR`,
/// `SPOOL_INPUT_CACHE_BYTES`, `SPOOL_INSTANCE_TYPE`, `SPOOL_CAPACITY_TYPE`, `SPOOL_PRICE_PER_HOUR`,
/// `SPOOL_INSTANCE_CATALOG` (the Kubernetes way: one image, settings from the pod's environment).
public struct RuntimeConfiguration: Codable, Sendable, Equatable {
    public var store: StoreSettings
    public var worker: WorkerSettings
    public var api: APISettings
    public var controlPlane: ControlPlaneSettings
    public var webhooks: WebhookSenderSettings

    public init(
        store: StoreSettings = StoreSettings(), worker: WorkerSettings = WorkerSettings(),
        api: APISettings = APISettings(),
        controlPlane: ControlPlaneSettings = ControlPlaneSettings(),
        webhooks: WebhookSenderSettings = WebhookSenderSettings()
    ) {
        self.store = store
        self.worker = worker
        self.api = api
        self.controlPlane = controlPlane
        self.webhooks = webhooks
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case store, worker, api, webhooks
        case controlPlane = "control_plane"
    }

    /// The settings in `path`, with unknown keys refused (a misspelt key would otherwise be silently ignored). What the
    /// file leaves out keeps its default: the file is laid over the defaults before it is decoded.
    public static func load(file path: String) throws(RuntimeConfigurationError) -> RuntimeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        do {
            guard let file = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw RuntimeConfigurationError.invalid(path: path, reason: "the top level must be an object")
            }
            try UnknownKeys.check(file)
            let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(RuntimeConfiguration()))
            let merged = UnknownKeys.overlay(file, on: defaults as? [String: Any] ?? [:])
            return try JSONDecoder().decode(
                RuntimeConfiguration.self, from: JSONSerialization.data(withJSONObject: merged))
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
        if let value = environment["SPOOL_HOST"], !value.isEmpty { result.api.host = value }
        if let value = try int("SPOOL_PORT") { result.api.port = value }
        if let text = environment["SPOOL_ACTUATOR"], !text.isEmpty {
            guard let actuator = ControlPlaneSettings.Actuator(rawValue: text) else {
                throw .badVariable(name: "SPOOL_ACTUATOR", value: text, expected: "local, kubernetes or gauge")
            }
            result.controlPlane.actuator = actuator
        }
        if let value = environment["SPOOL_DATA"], !value.isEmpty { result.store.data = value }
        if let value = environment["SPOOL_STORAGE"], !value.isEmpty { result.store.storage = value }
        if let value = environment["SPOOL_S3_ENDPOINT"], !value.isEmpty { result.store.s3Endpoint = value }
        if let value = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"], !value.isEmpty,
            result.store.storage?.hasPrefix("s3://") == true
        {
            result.store.s3Region = value
        }
        if let value = environment["SPOOL_REDIS"] { result.store.redis = value.isEmpty ? nil : value }
        if let value = environment["SPOOL_REDIS_NAMESPACE"], !value.isEmpty { result.store.redisNamespace = value }
        if let value = try int("SPOOL_REDIS_SHARDS") { result.store.redisShards = value }
        if let value = try int("SPOOL_REDIS_WAIT_REPLICAS") { result.store.redisWaitReplicas = value }
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
        try result.worker.applyCapacity(from: environment)
        try result.validate()
        return result
    }

    /// The rules flags are held to, for settings that came from a file or the environment.
    public func validate() throws(RuntimeConfigurationError) {
        guard store.maxAttempts >= 1 else { throw .outOfRange(field: "store.max_attempts", rule: "at least 1") }
        guard (1...256).contains(store.redisShards) else {
            throw .outOfRange(field: "store.redis_shards", rule: "1…256")
        }
        guard (0...16).contains(store.redisWaitReplicas) else {
            throw .outOfRange(field: "store.redis_wait_replicas", rule: "0…16")
        }
        guard worker.leaseSeconds >= 1 else { throw .outOfRange(field: "worker.lease_seconds", rule: "at least 1") }
        _ = try StorageLocation.parse(store.storage)
        try api.validate()
        try controlPlane.validate()
    }
}

/// Why settings from a file or the environment are refused, naming what to fix.
public enum RuntimeConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case invalid(path: String, reason: String)
    case unknownKey(String)
    case badVariable(name: String, value: String, expected: String)
    case outOfRange(field: String, rule: String)
    /// A rule of who may call refused the settings (`AccessRules`); the text says what to change.
    case refused(String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read the configuration file \(path)"
        case .invalid(let path, let reason): "\(path) is not a valid configuration: \(reason)"
        case .unknownKey(let key):
            "unknown configuration key \"\(key)\"; the file takes "
                + UnknownKeys.known.filter { !$0.key.isEmpty }.sorted { $0.key < $1.key }
                .map { "\($0.key).{\($0.value.sorted().joined(separator: ", "))}" }.joined(separator: " and ")
        case .badVariable(let name, let value, let expected): "\(name)=\(value) is not \(expected)"
        case .outOfRange(let field, let rule): "\(field) must be \(rule)"
        case .refused(let reason): reason
        }
    }
}

/// Refuses keys the configuration does not know, at any level, and lays a file over the defaults.
enum UnknownKeys {
    static let known: [String: Set<String>] = [
        "": Set(RuntimeConfiguration.CodingKeys.allCases.map(\.rawValue)),
        "store": Set(StoreSettings.CodingKeys.allCases.map(\.rawValue)),
        "worker": Set(WorkerSettings.CodingKeys.allCases.map(\.rawValue)),
        "api": Set(APISettings.CodingKeys.allCases.map(\.rawValue)),
        "control_plane": Set(ControlPlaneSettings.CodingKeys.allCases.map(\.rawValue)),
        "webhooks": Set(WebhookSenderSettings.CodingKeys.allCases.map(\.rawValue)),
    ]

    static func check(_ top: [String: Any]) throws {
        for (key, value) in top {
            guard known[""]!.contains(key) else { throw RuntimeConfigurationError.unknownKey(key) }
            guard let section = value as? [String: Any] else {
                throw RuntimeConfigurationError.invalid(path: "the file", reason: "\(key) must be an object")
            }
            for inner in section.keys where !known[key]!.contains(inner) {
                throw RuntimeConfigurationError.unknownKey(key + "." + inner)
            }
        }
    }

    /// `file` over `defaults`, section by section: a key the file gives replaces the default's.
    static func overlay(_ file: [String: Any], on defaults: [String: Any]) -> [String: Any] {
        var merged = defaults
        for (key, value) in file {
            if let section = value as? [String: Any], let base = defaults[key] as? [String: Any] {
                merged[key] = base.merging(section) { _, new in new }
            } else {
                merged[key] = value
            }
        }
        return merged
    }
}
