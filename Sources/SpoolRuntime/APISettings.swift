import Foundation
import SpoolCore
import SpoolHTTP

/// How a process serves the HTTP API, as a value: address, input rules, keys, rates, caches and the drain. What
/// `spool serve` and `spool gateway` take from flags or from the `api` section of `--config`.
public struct APISettings: Codable, Sendable, Equatable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (the chosen one is printed).
    public var port = 7878
    /// Directories `file://` inputs may come from.
    public var inputRoots: [String] = []
    /// Let http(s) inputs (and callbacks) reach loopback, private and link-local addresses.
    public var allowPrivateNetworks = false
    public var maxUploadBytes: Int64 = 4 << 30
    /// A file holding the admin key (else `SPOOL_ADMIN_KEY`).
    public var adminKeyFile: String?
    /// Requests per second of a tenant without its own rate, and of one client address (bursts: twice that).
    public var tenantRate: Double = 20_000
    public var addressRate: Double = 20_000
    /// When the rate limiter's store cannot be reached: allow (serve unmetered) or deny (503).
    public var rateLimitOnError = RateLimitSettings.OnError.allow
    /// Seconds to keep serving after SIGTERM with /ready at 503, so a balancer drains this process.
    public var drainSeconds: Double = 3
    public var cachePolicy = CachePolicy.arc
    /// Jobs the in-process cache keeps (0 turns it off).
    public var cacheEntries = 10_000
    public var storageBreakerFailures = 5
    public var storageBreakerCooldownSeconds: Double = 10
    /// Buckets whose objects the default tenant (the administrator's) may name as `s3://` inputs, besides its own
    /// `files/` in the storage bucket.
    public var inputBuckets: [String] = []
    /// How outputs in a bucket are downloaded: streamed through the gateway, or a 307 to a presigned URL.
    public var downloads = Downloads.stream
    /// Days finished jobs, their outputs and uploads are kept, unless the job or its tenant says otherwise.
    public var retentionDays: Double = RetentionPolicy.standard.days
    /// Days dead-lettered jobs are kept (never less than `retentionDays`).
    public var deadLetterRetentionDays: Double = RetentionPolicy.standard.deadLetterDays

    public enum Downloads: String, Codable, Sendable, CaseIterable {
        case stream, redirect
    }

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port
        case inputRoots = "input_roots"
        case allowPrivateNetworks = "allow_private_networks"
        case maxUploadBytes = "max_upload_bytes"
        case adminKeyFile = "admin_key_file"
        case tenantRate = "tenant_rate"
        case addressRate = "address_rate"
        case rateLimitOnError = "rate_limit_on_error"
        case drainSeconds = "drain_seconds"
        case cachePolicy = "cache_policy"
        case cacheEntries = "cache_entries"
        case storageBreakerFailures = "storage_breaker_failures"
        case storageBreakerCooldownSeconds = "storage_breaker_cooldown"
        case downloads
        case inputBuckets = "input_buckets"
        case retentionDays = "retention_days"
        case deadLetterRetentionDays = "dead_letter_retention_days"
    }

    public var retention: RetentionPolicy {
        RetentionPolicy(days: retentionDays, deadLetterDays: deadLetterRetentionDays)
    }

    public var drainPeriod: Duration { .milliseconds(Int64(max(drainSeconds, 0) * 1000)) }

    public var inputPolicy: InputPolicy {
        InputPolicy(inputRoots: inputRoots, allowPrivateNetworks: allowPrivateNetworks, maxUploadBytes: maxUploadBytes)
    }

    public var storageBreaker: StorageBreakerSettings {
        StorageBreakerSettings(
            failures: storageBreakerFailures,
            coolDown: .milliseconds(Int64(max(0, storageBreakerCooldownSeconds) * 1000)))
    }

    public var jobCache: JobCacheSettings { JobCacheSettings(capacity: max(cacheEntries, 0), policy: cachePolicy) }

    public var rateLimits: RateLimitSettings {
        RateLimitSettings(
            tenantDefault: RateLimit(perSecond: tenantRate, burst: Int(tenantRate * 2)),
            perAddress: RateLimit(perSecond: addressRate, burst: Int(addressRate * 2)), onError: rateLimitOnError)
    }

    /// Who may call: the admin key from `adminKeyFile`, else `SPOOL_ADMIN_KEY` in `environment`; without one, only a
    /// loopback address is served (`AccessRules`).
    public func authentication(environment: [String: String]) throws(RuntimeConfigurationError) -> AuthenticationMode {
        var adminKey = environment["SPOOL_ADMIN_KEY"]
        if let adminKeyFile {
            guard let text = try? String(contentsOfFile: adminKeyFile, encoding: .utf8) else {
                throw .unreadable(path: adminKeyFile)
            }
            adminKey = text
        }
        do {
            return try AccessRules.authentication(host: host, adminKey: adminKey)
        } catch {
            throw .refused(error.description)
        }
    }

    /// The rules flags are held to, for settings from a file or the environment.
    public func validate() throws(RuntimeConfigurationError) {
        guard (0...65535).contains(port) else { throw .outOfRange(field: "api.port", rule: "0…65535") }
        for root in inputRoots where !root.hasPrefix("/") {
            throw .outOfRange(field: "api.input_roots", rule: "absolute paths (got '\(root)')")
        }
        guard tenantRate > 0, addressRate > 0 else {
            throw .outOfRange(field: "api.tenant_rate and api.address_rate", rule: "above 0")
        }
        for (field, days) in [
            ("api.retention_days", retentionDays), ("api.dead_letter_retention_days", deadLetterRetentionDays),
        ] where !(days > 0 && days <= RetentionPolicy.maximumDays) {
            throw .outOfRange(field: field, rule: "above 0 and at most \(Int(RetentionPolicy.maximumDays)) days")
        }
    }
}

extension RateLimitSettings.OnError: Codable {}
